#!/usr/bin/python3
"""Reads a StreamVault MPD as an independent DASH client would (ISO/IEC 23009-1), with
Python's XML parser and its own ISO BMFF reader: expands every SegmentTemplate's
SegmentTimeline into the URLs it implies, fetches each one and checks it against the files
(init timescale = @timescale; per segment S@t = tfdt + the first sample's composition
offset, i.e. its earliest presentation time; S@d = the sum of its sample durations); and,
given the HLS master, that each DASH URL is the file the HLS media playlist lists under the
same number (same bytes). Prints one JSON report: {"problems": [...], "representations": {...}}.
Usage: check_mpd.py MPD_URL [MASTER_URL]"""
import json
import re
import sys
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import mp4boxes

NS = {"d": "urn:mpeg:dash:schema:mpd:2011"}
mpd_url = sys.argv[1]
master_url = sys.argv[2] if len(sys.argv) > 2 else None
problems = []
report = {"problems": problems, "representations": {}}


def fetch(url):
    with urllib.request.urlopen(url, timeout=30) as answer:
        return answer.read()


def expand(template, representation_id, number):
    text = template.replace("$RepresentationID$", representation_id)
    return re.sub(r"\$Number(%0(\d+)d)?\$", lambda m: str(number).zfill(int(m.group(2) or 0)), text)


def hls_segments(playlist_url):
    """The segment URLs an HLS media playlist lists, in order."""
    text = fetch(playlist_url).decode()
    return [urllib.parse.urljoin(playlist_url, line) for line in text.splitlines() if line and not line.startswith("#")]


root = ET.fromstring(fetch(mpd_url))
if root.tag != "{%s}MPD" % NS["d"]:
    problems.append("root element is %s, not the namespaced MPD" % root.tag)
report["type"] = root.get("type")
report["profiles"] = root.get("profiles")
report["mediaPresentationDuration"] = root.get("mediaPresentationDuration")
periods = root.findall("d:Period", NS)
if len(periods) != 1:
    problems.append("%d periods" % len(periods))

hls_by_folder = {}
if master_url:
    master = fetch(master_url).decode()
    uris = [line for line in master.splitlines() if line and not line.startswith("#")]
    uris += re.findall(r'TYPE=AUDIO[^\n]*URI="([^"]+)"', master)
    for uri in uris:
        hls_by_folder[uri.rsplit("/", 1)[0]] = hls_segments(urllib.parse.urljoin(master_url, uri))

for adaptation in periods[0].findall("d:AdaptationSet", NS):
    template = adaptation.find("d:SegmentTemplate", NS)
    for representation in adaptation.findall("d:Representation", NS):
        rid = representation.get("id")
        entry = {"contentType": adaptation.get("contentType"), "lang": adaptation.get("lang"),
                 "codecs": representation.get("codecs"), "bandwidth": representation.get("bandwidth")}
        report["representations"][rid] = entry
        base = representation.find("d:BaseURL", NS)
        if base is not None:
            data = fetch(urllib.parse.urljoin(mpd_url, base.text))
            entry["url"] = base.text
            if not data.startswith(b"WEBVTT"):
                problems.append("%s: %s is not WebVTT" % (rid, base.text))
            continue
        if template is None:
            problems.append("%s: no SegmentTemplate" % rid)
            continue
        timescale = int(template.get("timescale"))
        init_url = urllib.parse.urljoin(mpd_url, expand(template.get("initialization"), rid, 0))
        init_timescale, default_duration = mp4boxes.init_info(fetch(init_url))
        if init_timescale != timescale:
            problems.append("%s: @timescale %d, the init segment's mdhd says %d" % (rid, timescale, init_timescale))
        number = int(template.get("startNumber", "1"))
        time = None
        segments = []
        for s in template.find("d:SegmentTimeline", NS).findall("d:S", NS):
            if s.get("t") is not None:
                time = int(s.get("t"))
            for _ in range(int(s.get("r", "0")) + 1):
                segments.append((number, time, int(s.get("d"))))
                time += int(s.get("d"))
                number += 1
        entry["segments"] = len(segments)
        folder = expand(template.get("media"), rid, 1).rsplit("/", 1)[0]
        hls = hls_by_folder.get(folder)
        if master_url and hls is None:
            problems.append("%s: no HLS rendition in folder %s" % (rid, folder))
        elif hls is not None and len(hls) != len(segments):
            problems.append("%s: %d DASH segments, %d in the HLS playlist" % (rid, len(segments), len(hls)))
        for index, (number, start, duration) in enumerate(segments):
            url = urllib.parse.urljoin(mpd_url, expand(template.get("media"), rid, number))
            data = fetch(url)
            if hls is not None and index < len(hls) and fetch(hls[index]) != data:
                problems.append("%s: %s differs from the HLS segment %s" % (rid, url, hls[index]))
            fragments = mp4boxes.fragments(data, default_duration)
            if not fragments:
                problems.append("%s: %s holds no fragment" % (rid, url))
                continue
            first = fragments[0]
            presentation = first["decode_time"] + first["first_composition_offset"]
            if presentation != start:
                problems.append("%s #%d: S@t %d, the segment starts at %d (tfdt %d + composition offset %d)"
                                % (rid, number, start, presentation, first["decode_time"], first["first_composition_offset"]))
            total = sum(sum(f["durations"]) for f in fragments)
            if total != duration:
                problems.append("%s #%d: S@d %d, its samples last %d" % (rid, number, duration, total))
print(json.dumps(report))
