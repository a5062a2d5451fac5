#!/usr/bin/python3
"""Plays a StreamVault /watch/<id> page in headless Chromium (native HLS) and reports, as
one JSON object on stdout, how far it played, any media error, and the text tracks the
page exposes, with the cues their <track> elements loaded. PLAY_AFTER seconds after the
page loaded (as a person clicks play once the page is there; the page preloads meanwhile)
it calls play().
Usage: play_watch_page.py URL [SECONDS [PLAY_AFTER]]"""
import json
import sys
import time

import headless

url = sys.argv[1]
target = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0
play_after = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0

driver = headless.chromium()
report = {"url": url}
try:
    driver.get(url)
    report["canPlayHLS"] = driver.execute_script(
        "return document.getElementById('player').canPlayType('application/vnd.apple.mpegurl')")
    time.sleep(play_after)
    driver.execute_script("const v = document.getElementById('player'); v.muted = true; v.play().catch(e => window.playError = String(e));")
    deadline = time.time() + 60
    while time.time() < deadline:
        state = driver.execute_script("""
            const v = document.getElementById('player');
            return {time: v.currentTime, error: v.error ? v.error.code + ' ' + v.error.message : null,
                    playError: window.playError || null, width: v.videoWidth, height: v.videoHeight,
                    tracks: Array.from(v.textTracks).map(t => ({label: t.label, language: t.language, kind: t.kind}))};""")
        report.update(state)
        if state["error"] or state["time"] >= target:
            break
        time.sleep(0.25)
    # Every text track's cues, as the <track> element loaded them (hidden: loaded, not drawn).
    driver.execute_script("for (const t of document.getElementById('player').textTracks) t.mode = 'hidden';")
    deadline = time.time() + 10
    while time.time() < deadline:
        cues = driver.execute_script("""
            return Array.from(document.getElementById('player').textTracks).map(t => t.cues ?
                Array.from(t.cues).map(c => ({start: c.startTime, end: c.endTime, text: c.text})) : null);""")
        if all(c for c in cues):
            break
        time.sleep(0.25)
    for track, loaded in zip(report["tracks"], cues):
        track["cues"] = loaded or []
finally:
    driver.quit()
print(json.dumps(report))
