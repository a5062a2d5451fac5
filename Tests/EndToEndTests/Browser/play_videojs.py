#!/usr/bin/python3
"""Plays a StreamVault master playlist with Video.js (its VHS engine over Media Source
Extensions, not the browser's native HLS) in headless Chromium, from a page of another
origin (a server of its own on another port, so every request to StreamVault is
cross-origin and needs its CORS headers). Reports, as one JSON object on stdout, how far it
played and any error. Usage: play_videojs.py MASTER_URL VIDEOJS_FOLDER [SECONDS]"""
import functools
import http.server
import json
import os
import sys
import threading
import time

import headless

master, videojs = sys.argv[1], sys.argv[2]
target = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0

PAGE = """<!doctype html>
<link href="/video-js.min.css" rel="stylesheet">
<video-js id="player" muted preload="auto" width="640" height="360"></video-js>
<script src="/video.min.js"></script>
<script>
  window.playError = null;
  const player = videojs('player', {html5: {hls: {overrideNative: true}, vhs: {overrideNative: true},
                                            nativeAudioTracks: false, nativeVideoTracks: false}});
  player.src({src: %s, type: 'application/x-mpegURL'});
  player.ready(() => { player.muted(true); player.play().catch(e => window.playError = String(e)); });
</script>
""" % json.dumps(master)


class Handler(http.server.SimpleHTTPRequestHandler):
    def do_GET(self):
        if self.path in ("/", "/index.html"):
            body = PAGE.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        else:
            super().do_GET()

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=videojs))
threading.Thread(target=server.serve_forever, daemon=True).start()
page = "http://127.0.0.1:%d/" % server.server_address[1]

driver = headless.chromium()
report = {"page": page, "master": master}
try:
    driver.get(page)
    deadline = time.time() + 60
    while time.time() < deadline:
        state = driver.execute_script("""
            const p = videojs.getPlayer('player'), e = p.error();
            const tech = p.tech({IWillNotUseThisInPlugins: true});
            return {time: p.currentTime(), error: e ? e.code + ' ' + e.message : null, playError: window.playError,
                    width: p.videoWidth(), height: p.videoHeight(),
                    engine: tech && (tech.vhs ? 'vhs' : tech.hls ? 'hls' : 'native')};""")
        report.update(state)
        if state["error"] or state["time"] >= target:
            break
        time.sleep(0.25)
finally:
    driver.quit()
    server.shutdown()
print(json.dumps(report))
