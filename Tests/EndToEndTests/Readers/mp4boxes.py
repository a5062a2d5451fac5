"""A small, independent reader of the ISO BMFF boxes a CMAF track's init and media
segments hold (ISO/IEC 14496-12): the track's timescale (mdhd) and default sample duration
(trex), and per fragment its decode time (tfdt), sample durations and the first sample's
composition offset (trun). Used by the tests to check a DASH timeline against the files."""
import struct

CONTAINERS = {b"moov", b"trak", b"mdia", b"mvex", b"moof", b"traf", b"minf", b"stbl"}


def boxes(data, start=0, end=None):
    """Yields (type, payload start, payload end) of the boxes in data[start:end]."""
    end = len(data) if end is None else end
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack(">I4s", data[offset:offset + 8])
        header = 8
        if size == 1:
            size = struct.unpack(">Q", data[offset + 8:offset + 16])[0]
            header = 16
        elif size == 0:
            size = end - offset
        if size < header:
            raise ValueError("box %r at %d has size %d" % (kind, offset, size))
        yield kind, offset + header, offset + size
        offset += size


def find(data, path, start=0, end=None):
    """Every box payload (start, end) at `path` (a list of box types), depth first."""
    found = []
    for kind, payload, stop in boxes(data, start, end):
        if kind == path[0]:
            if len(path) == 1:
                found.append((payload, stop))
            elif kind in CONTAINERS:
                found += find(data, path[1:], payload, stop)
    return found


def init_info(data):
    """(timescale, default sample duration or None) of the single track of an init segment."""
    (start, _), = find(data, [b"moov", b"trak", b"mdia", b"mdhd"])
    version = data[start]
    timescale = struct.unpack(">I", data[start + (20 if version == 1 else 12):][:4])[0]
    default = None
    for payload, _ in find(data, [b"moov", b"mvex", b"trex"]):
        default = struct.unpack(">I", data[payload + 12:payload + 16])[0]
    return timescale, default


def fragments(data, default_duration=None):
    """Per moof of a media segment: {decode_time, durations: [...], first_composition_offset}."""
    result = []
    for moof, moof_end in find(data, [b"moof"]):
        for traf, traf_end in find(data, [b"traf"], moof, moof_end):
            duration = default_duration
            decode_time = None
            durations, first_offset = [], 0
            for kind, payload, stop in boxes(data, traf, traf_end):
                if kind == b"tfhd":
                    flags = int.from_bytes(data[payload + 1:payload + 4], "big")
                    cursor = payload + 8
                    if flags & 0x01:
                        cursor += 8
                    if flags & 0x02:
                        cursor += 4
                    if flags & 0x08:
                        duration = struct.unpack(">I", data[cursor:cursor + 4])[0]
                elif kind == b"tfdt":
                    version = data[payload]
                    decode_time = struct.unpack(">Q" if version == 1 else ">I",
                                                data[payload + 4:payload + (12 if version == 1 else 8)])[0]
                elif kind == b"trun":
                    version, flags = data[payload], int.from_bytes(data[payload + 1:payload + 4], "big")
                    count = struct.unpack(">I", data[payload + 4:payload + 8])[0]
                    cursor = payload + 8
                    if flags & 0x01:
                        cursor += 4
                    if flags & 0x04:
                        cursor += 4
                    for index in range(count):
                        sample_duration = duration
                        if flags & 0x100:
                            sample_duration = struct.unpack(">I", data[cursor:cursor + 4])[0]
                            cursor += 4
                        if flags & 0x200:
                            cursor += 4
                        if flags & 0x400:
                            cursor += 4
                        if flags & 0x800:
                            offset = struct.unpack(">i" if version == 1 else ">I", data[cursor:cursor + 4])[0]
                            cursor += 4
                            if index == 0:
                                first_offset = offset
                        durations.append(sample_duration)
            result.append({"decode_time": decode_time, "durations": durations, "first_composition_offset": first_offset})
    return result
