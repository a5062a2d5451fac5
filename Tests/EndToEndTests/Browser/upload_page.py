#!/usr/bin/python3
"""Uploads a file through StreamVault's /upload page in headless Chromium, as a person
does, with the network throttled: the connection is cut part-way (the browser goes
offline), the page is reloaded, the same file chosen again, and the page must go on from
where the server has it and end with a link to the playing title. Reports one JSON object:
{"urlBefore", "urlAfter", "offsetAtCut", "sawRetry", "link", "state"}.
Usage: upload_page.py BASE_URL FILE API_TOKEN"""
import json
import sys
import time
import urllib.request

from selenium.webdriver.common.by import By

import headless

base, path, token = sys.argv[1:4]
report = {}


def choose(driver):
    driver.execute_script("const t = document.getElementById('token'); t.value = arguments[0]; t.dispatchEvent(new Event('change'));", token)
    field = driver.find_element(By.ID, "files")
    driver.execute_script("arguments[0].hidden = false", field)
    field.send_keys(path)


def state(driver):
    return driver.execute_script("""
        const item = document.querySelector('li.upload');
        if (!item) return null;
        const link = item.querySelector('a.watch-link');
        return {url: item.dataset.url || null, state: item.dataset.state || null, bar: item.querySelector('progress').value,
                link: link ? link.getAttribute('href') : null};""")


def wait(driver, condition, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        now = state(driver)
        if now and condition(now):
            return now
        time.sleep(0.1)
    raise SystemExit(json.dumps({**report, "timedOut": True, "last": state(driver)}))


def server_offset(url):
    request = urllib.request.Request(base + url, method="HEAD", headers={"Tus-Resumable": "1.0.0"})
    return int(urllib.request.urlopen(request).headers["Upload-Offset"])


driver = headless.chromium()
try:
    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                           {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": 200 * 1024})
    driver.get(base + "/upload?chunk=65536")
    choose(driver)
    before = wait(driver, lambda s: s["bar"] >= 30 and s["url"], 60)
    driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                           {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    retry = wait(driver, lambda s: s["state"] == "connection lost, trying again", 30)
    report.update(urlBefore=before["url"], sawRetry=True, offsetAtCut=server_offset(before["url"]))
    driver.execute_cdp_cmd("Network.emulateNetworkConditions",
                           {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1})
    driver.refresh()
    choose(driver)
    done = wait(driver, lambda s: s["link"] is not None, 180)
    report.update(urlAfter=done["url"], link=done["link"], state=done["state"])
finally:
    driver.quit()
print(json.dumps(report))
