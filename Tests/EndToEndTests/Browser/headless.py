"""Headless Chromium (Debian's /usr/bin/chromium and chromedriver) as the player scripts
drive it: autoplay allowed, sound muted; and the page of another origin they play from."""
import functools
import http.server
import threading

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def serve_page(page, directory=None):
    """Serves `page` at / of a port of its own on 127.0.0.1 (other files from `directory`, if
    given), in a thread; returns the server and the page's URL."""
    class Handler(http.server.SimpleHTTPRequestHandler):
        def do_GET(self):
            if self.path not in ("/", "/index.html"):
                return super().do_GET() if directory else self.send_error(404)
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=directory or "."))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, "http://127.0.0.1:%d/" % server.server_address[1]


def chromium():
    options = webdriver.ChromeOptions()
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--autoplay-policy=no-user-gesture-required", "--mute-audio"):
        options.add_argument(argument)
    options.binary_location = "/usr/bin/chromium"
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(30)
    return driver
