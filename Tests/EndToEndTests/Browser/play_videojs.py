#!/usr/bin/python3
"""Plays a StreamVault master playlist or MPD (by its suffix, .m3u8 or .mpd) with Video.js
(its VHS engine over Media Source Extensions, not the browser's native HLS) in headless
Chromium, from a page of another origin (a server of its own on another port, so every
request to StreamVault is cross-origin and needs its CORS headers). With SWITCH_AUDIO set,
once half of SECONDS is played it enables the audio track of that language and plays on.
Reports, as one JSON object on stdout, where it began playing and how far it played, any error, the audio and text
tracks the player offers and the audio track enabled at the end.
Usage: play_videojs.py URL VIDEOJS_FOLDER [SECONDS]"""
import json
import os
import sys
import time

import headless

master, videojs = sys.argv[1], sys.argv[2]
target = float(sys.argv[3]) if len(sys.argv) > 3 else 3.0
switch_to = os.environ.get("SWITCH_AUDIO")
kind = "application/dash+xml" if master.endswith(".mpd") else "application/x-mpegURL"

PAGE = """<!doctype html>
<link href="/video-js.min.css" rel="stylesheet">
<video-js id="player" muted preload="auto" width="640" height="360"></video-js>
<script src="/video.min.js"></script>
<script>
  window.playError = null;
  const player = videojs('player', {html5: {hls: {overrideNative: true}, vhs: {overrideNative: true},
                                            nativeAudioTracks: false, nativeVideoTracks: false}});
  player.src({src: %s, type: %s});
  player.ready(() => { player.muted(true); player.play().catch(e => window.playError = String(e)); });
</script>
""" % (json.dumps(master), json.dumps(kind))


server, page = headless.serve_page(PAGE, directory=videojs)

driver = headless.chromium()
report = {"page": page, "master": master}
try:
    driver.get(page)
    deadline = time.time() + 60
    while time.time() < deadline:
        state = driver.execute_script("""
            const p = videojs.getPlayer('player'), e = p.error();
            const tech = p.tech({IWillNotUseThisInPlugins: true});
            const audio = Array.from(p.audioTracks()), text = Array.from(p.textTracks());
            return {time: p.currentTime(), error: e ? e.code + ' ' + e.message : null, playError: window.playError,
                    width: p.videoWidth(), height: p.videoHeight(),
                    engine: tech && (tech.vhs ? 'vhs' : tech.hls ? 'hls' : 'native'),
                    audioTracks: audio.map(t => ({language: t.language, label: t.label, enabled: t.enabled})),
                    textTracks: text.filter(t => t.kind === 'subtitles' || t.kind === 'captions')
                                    .map(t => ({language: t.language, label: t.label}))};""")
        report.update(state)
        enabled = [t["language"] for t in state["audioTracks"] if t["enabled"]]
        if state["time"] > 0 and "firstTime" not in report:
            report["firstTime"] = state["time"]  # where playback began (a growing MPD: its beginning, not its live edge)
        if enabled and "audioAtStart" not in report:
            report["audioAtStart"] = enabled[0]
        if state["error"]:
            break
        if switch_to and "switchedAt" not in report and state["time"] >= target / 2:
            report["switchedAt"] = state["time"]
            driver.execute_script("""
                const tracks = Array.from(videojs.getPlayer('player').audioTracks());
                const chosen = tracks.find(t => t.language === arguments[0]);
                if (chosen) chosen.enabled = true;""", switch_to)
        elif state["time"] >= target and (not switch_to or "switchedAt" in report):
            break
        time.sleep(0.25)
finally:
    driver.quit()
    server.shutdown()
print(json.dumps(report))
