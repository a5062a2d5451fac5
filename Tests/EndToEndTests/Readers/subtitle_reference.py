#!/usr/bin/python3
"""Reads a subtitle file with pycaption (an independent reader, from PyPI) and prints its
cues as JSON: [{"start": s, "end": s, "text": "line\\nline"}], text without markup (tags
pycaption leaves in SubRip text are taken out too).
Usage: subtitle_reference.py FILE (.srt, .vtt, .dfxp/.ttml, .smi/.sami, .scc)"""
import json
import re
import sys
import warnings

import pycaption

warnings.filterwarnings("ignore")

READERS = {"srt": pycaption.SRTReader, "vtt": pycaption.WebVTTReader, "dfxp": pycaption.DFXPReader,
           "ttml": pycaption.DFXPReader, "smi": pycaption.SAMIReader, "sami": pycaption.SAMIReader,
           "scc": pycaption.SCCReader}

path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    content = f.read()
captions = READERS[path.rsplit(".", 1)[-1].lower()]().read(content)
language = captions.get_languages()[0]
cues = []
for caption in captions.get_captions(language):
    text = "".join("\n" if node.type_ == node.BREAK else node.content if node.type_ == node.TEXT else ""
                   for node in caption.nodes)
    cues.append({"start": caption.start / 1e6, "end": caption.end / 1e6,
                 "text": "\n".join(re.sub(r"</?[a-z]+>", "", line).strip() for line in text.split("\n") if line.strip())})
print(json.dumps(cues, ensure_ascii=False))
