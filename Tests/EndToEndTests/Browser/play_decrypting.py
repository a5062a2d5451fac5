#!/usr/bin/python3
"""Plays the first video rendition of an AES-128 fMP4 title in headless Chromium the way a
player that decrypts does (hls.js, Safari), since none such can be installed here: a page
of another origin fetches the tokened master playlist, its first variant's playlist, the
key its EXT-X-KEY names, decrypts the init section (its explicit IV) and each segment (its
media sequence number as IV) with WebCrypto's AES-CBC, and appends them to a Media Source
Extensions SourceBuffer. Only the URIs the playlists hold are fetched, so the token must
have been carried into each. Reports, as one JSON object on stdout, how far it played, any
error, the picture size and how many files it decrypted.
Usage: play_decrypting.py MASTER_URL [SECONDS]"""
import json
import sys
import time

import headless

master = sys.argv[1]
target = float(sys.argv[2]) if len(sys.argv) > 2 else 3.0

PAGE = """<!doctype html>
<video id="player" muted width="640" height="360"></video>
<script>
window.report = {decrypted: 0, error: null};
const attribute = (line, name) => (line.match(new RegExp(name + '=("[^"]*"|[^,]*)')) || [])[1]?.replace(/"/g, '');
const get = async (url, type) => {
  const answer = await fetch(url);
  if (!answer.ok) throw new Error(url + ': ' + answer.status);
  return type === 'text' ? answer.text() : answer.arrayBuffer();
};
const hexBytes = hex => new Uint8Array(hex.replace(/^0x/i, '').match(/../g).map(b => parseInt(b, 16)));
const sequenceIV = n => { const iv = new Uint8Array(16); new DataView(iv.buffer).setUint32(12, n); return iv; };
(async () => {
  const masterURL = %s;
  const masterText = await get(masterURL, 'text');
  const lines = masterText.split('\\n');
  const index = lines.findIndex(l => l.startsWith('#EXT-X-STREAM-INF'));
  const codecs = attribute(lines[index], 'CODECS').split(',').find(c => c.startsWith('avc1') || c.startsWith('hvc1'));
  const mediaURL = new URL(lines[index + 1], masterURL);
  const media = (await get(mediaURL, 'text')).split('\\n');
  let key = null, keyIV = null, sequence = 0;
  const source = new MediaSource();
  const video = document.getElementById('player');
  video.src = URL.createObjectURL(source);
  await new Promise(resolve => source.addEventListener('sourceopen', resolve, {once: true}));
  const buffer = source.addSourceBuffer('video/mp4; codecs="' + codecs + '"');
  const append = data => new Promise((resolve, reject) => {
    buffer.addEventListener('updateend', resolve, {once: true});
    buffer.addEventListener('error', reject, {once: true});
    buffer.appendBuffer(data);
  });
  const decrypt = async (url, iv) => {
    const clear = await crypto.subtle.decrypt({name: 'AES-CBC', iv}, key, await get(url));
    window.report.decrypted += 1;
    return clear;
  };
  for (const line of media) {
    if (line.startsWith('#EXT-X-KEY')) {
      const raw = await get(new URL(attribute(line, 'URI'), mediaURL));
      key = await crypto.subtle.importKey('raw', raw, 'AES-CBC', false, ['decrypt']);
      keyIV = attribute(line, 'IV') ? hexBytes(attribute(line, 'IV')) : null;
    } else if (line.startsWith('#EXT-X-MAP')) {
      await append(await decrypt(new URL(attribute(line, 'URI'), mediaURL), keyIV));
    } else if (line && !line.startsWith('#')) {
      await append(await decrypt(new URL(line, mediaURL), keyIV || sequenceIV(sequence)));
      sequence += 1;
      if (video.paused) video.play().catch(e => window.report.error = String(e));
    }
  }
  source.endOfStream();
})().catch(e => window.report.error = String(e));
</script>
""" % json.dumps(master)


server, page = headless.serve_page(PAGE)
driver = headless.chromium()
report = {"master": master}
try:
    driver.get(page)
    deadline = time.time() + 60
    while time.time() < deadline:
        state = driver.execute_script("""
            const v = document.getElementById('player');
            return Object.assign({time: v.currentTime, width: v.videoWidth, height: v.videoHeight,
                                  mediaError: v.error ? v.error.code + ' ' + v.error.message : null}, window.report);""")
        report.update(state)
        if state["error"] or state["mediaError"] or state["time"] >= target:
            break
        time.sleep(0.25)
finally:
    driver.quit()
    server.shutdown()
print(json.dumps(report))
