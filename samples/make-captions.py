#!/usr/bin/env python3
"""Makes the closed-caption samples: `captions.scc` (CEA-608 pop-on and roll-up captions in
Scenarist SCC, CC1) and `captions-cc1.mp4` (640x360 29.97 fps H.264 carrying the same byte
pairs in A/53 SEI, one pair per frame at the SCC's timecodes, with AAC audio).

The SEI is written here, byte by byte, as ATSC A/53 Part 4 and ITU-T H.264 D.1.6 say:
user_data_registered_itu_t_t35 (country 0xB5, provider 0x0031, "GA94", type 3, cc_data).
Used only to make test media: StreamVault never runs ffmpeg."""
import os
import subprocess
import sys

RATE = (30000, 1001)


def odd(byte):
    """The byte with CEA-608's odd parity bit set."""
    return byte | 0x80 if bin(byte & 0x7F).count("1") % 2 == 0 else byte & 0x7F


def pair(b1, b2):
    return (odd(b1), odd(b2))


def control(b1, b2):
    """A control code, sent twice as broadcasters do."""
    return [pair(b1, b2), pair(b1, b2)]


def text(chars):
    codes = [ord(c) for c in chars]
    if len(codes) % 2:
        codes.append(0)
    return [(odd(codes[i]), odd(codes[i + 1]) if codes[i + 1] else 0x80) for i in range(0, len(codes), 2)]


# PAC codes (CC1), white, indent 0: row -> (first byte, second byte).
PAC = {1: (0x11, 0x40), 2: (0x11, 0x60), 14: (0x14, 0x40), 15: (0x14, 0x60)}
RCL, EOC, EDM, ENM, RU2, CR = (0x14, 0x20), (0x14, 0x2F), (0x14, 0x2C), (0x14, 0x2E), (0x14, 0x25), (0x14, 0x2D)
ITALICS = (0x11, 0x2E)  # mid-row: white italics


def pop_on(rows):
    """Loads rows into the non-displayed memory: RCL, ENM, then per row a PAC and its text."""
    words = control(*RCL) + control(*ENM)
    for row, line in rows:
        words += control(*PAC[row]) + text(line)
    return words


# (frame of the first word, words). A pop-on shows at its EOC word, an EDM clears.
SCRIPT = [
    (15, pop_on([(15, "HELLO FROM CC1")]) + control(*EOC)),   # shown at frame 15 + 26
    (100, control(*EDM)),
    (110, pop_on([(14, "TWO ROWS, "), (15, "ONE CAPTION")]) + control(*EOC)),
    (190, control(*EDM)),
    (200, control(*RU2) + control(*PAC[15]) + text("ROLL UP ONE") + control(*CR) + text("ROLL UP TWO")),
    (260, control(*EDM)),
]
FRAMES = 300


def words_by_frame():
    frames = {}
    for start, words in SCRIPT:
        for index, word in enumerate(words):
            frames[start + index] = word
    return frames


def timecode(frame):
    """Non-drop SMPTE timecode at 30 frames per timecode second."""
    return "%02d:%02d:%02d:%02d" % (frame // 108000, frame // 1800 % 60, frame // 30 % 60, frame % 30)


def write_scc(path):
    lines = ["Scenarist_SCC V1.0", ""]
    for start, words in SCRIPT:
        lines.append(timecode(start) + "\t" + " ".join("%02x%02x" % word for word in words))
        lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def emulation_prevented(payload):
    out, zeros = bytearray(), 0
    for byte in payload:
        if zeros >= 2 and byte <= 3:
            out.append(3)
            zeros = 0
        out.append(byte)
        zeros = zeros + 1 if byte == 0 else 0
    return bytes(out)


def sei(word):
    cc = bytes([0xFC, word[0], word[1]])  # marker bits, cc_valid, cc_type 0 (field 1)
    payload = bytes([0xB5, 0x00, 0x31]) + b"GA94" + bytes([0x03, 0x40 | 1, 0xFF]) + cc + bytes([0xFF])
    message = bytes([4, len(payload)]) + payload + bytes([0x80])
    return b"\x00\x00\x00\x01\x06" + emulation_prevented(message)


def nal_units(stream):
    """(start, end, type) of each NAL unit of an Annex B stream."""
    starts, i = [], 0
    while True:
        i = stream.find(b"\x00\x00\x01", i)
        if i < 0:
            break
        starts.append(i + 3)
        i += 3
    for n, start in enumerate(starts):
        end = starts[n + 1] - 3 if n + 1 < len(starts) else len(stream)
        while end > start and stream[end - 1] == 0:
            end -= 1
        yield start, end, stream[start] & 0x1F


def with_captions(stream):
    frames, out, frame, inserted = words_by_frame(), bytearray(), -1, True
    for start, end, kind in nal_units(stream):
        if kind == 9:  # access unit delimiter: a new frame
            frame += 1
            inserted = False
        if kind in (1, 5) and not inserted:
            out += sei(frames.get(frame, (0x80, 0x80)))
            inserted = True
        out += b"\x00\x00\x00\x01" + stream[start:end]
    return bytes(out)


def main(folder):
    write_scc(os.path.join(folder, "captions.scc"))
    raw = "/tmp/captions-video.h264"
    ff = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-y"]
    subprocess.run(ff + ["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=%d/%d" % RATE, "-frames:v", str(FRAMES),
                         "-c:v", "libx264", "-preset", "fast", "-b:v", "500k", "-pix_fmt", "yuv420p", "-bf", "0", "-g", "60",
                         "-x264-params", "aud=1", "-f", "h264", raw], check=True)
    with open(raw, "rb") as f:
        captioned = with_captions(f.read())
    with open(raw, "wb") as f:
        f.write(captioned)
    seconds = FRAMES * RATE[1] / RATE[0]
    subprocess.run(ff + ["-framerate", "%d/%d" % RATE, "-i", raw, "-f", "lavfi", "-i", "sine=f=440:r=48000:d=%.3f" % seconds,
                         "-c:v", "copy", "-c:a", "aac", "-b:a", "64k", "-shortest", "-movflags", "+faststart", "-metadata:s:v:0", "language=eng",
                         os.path.join(folder, "captions-cc1.mp4")], check=True)
    os.remove(raw)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
