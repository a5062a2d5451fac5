import Foundation

/// Trick play for one fMP4 rung: an `EXT-X-I-FRAMES-ONLY` playlist whose entries are byte
/// ranges of the keyframe that opens each segment (its `moof` box through the end of the
/// keyframe's data), as Apple's HLS authoring rules ask for scrubbing and fast-forward.
struct IFramePlaylist {
    static let fileName = "iframes.m3u8"

    let playlist: MediaPlaylist
    /// Peak and average bit rate of the keyframes alone, bits per second.
    let peak: Int
    let average: Int

    /// Reads the rung's media playlist and segments in `folder`; nil when a segment holds
    /// no fragment (not fMP4).
    init?(rungFolder folder: URL) throws {
        let text = try String(contentsOf: folder.appendingPathComponent(SegmentLayout.mediaPlaylistName), encoding: .utf8)
        guard let media = MediaPlaylist(text: text), let initSegment = media.initSegment else { return nil }
        var entries: [MediaPlaylist.Segment] = []
        for segment in media.segments {
            let data = try Data(contentsOf: folder.appendingPathComponent(segment.uri))
            guard let range = Self.firstSampleRange(in: data) else { return nil }
            entries.append(MediaPlaylist.Segment(duration: segment.duration, uri: segment.uri, byteRange: range))
        }
        playlist = MediaPlaylist(version: 7, initSegment: initSegment, isIFramesOnly: true, segments: entries)
        peak = entries.map { Int(Double($0.byteRange!.length * 8) / max($0.duration, 0.001)) }.max() ?? 0
        let seconds = entries.reduce(0) { $0 + $1.duration }
        average = seconds > 0 ? Int(Double(entries.reduce(0) { $0 + $1.byteRange!.length } * 8) / seconds) : 0
    }

    func write(to folder: URL) throws {
        try playlist.render().write(to: folder.appendingPathComponent(Self.fileName), atomically: false, encoding: .utf8)
    }

    /// The bytes from the first `moof` to the end of its first sample's data, from the
    /// `tfhd` and `trun` boxes (ISO/IEC 14496-12 §8.8).
    static func firstSampleRange(in data: Data) -> MediaPlaylist.ByteRange? {
        let bytes = [UInt8](data)
        guard let moof = boxes(in: bytes, from: 0, to: bytes.count).first(where: { $0.type == "moof" }),
              let traf = boxes(in: bytes, from: moof.body, to: moof.end).first(where: { $0.type == "traf" }) else { return nil }
        let children = boxes(in: bytes, from: traf.body, to: traf.end)
        guard let tfhd = children.first(where: { $0.type == "tfhd" }),
              let trun = children.first(where: { $0.type == "trun" }) else { return nil }

        func uint32(_ at: Int) -> Int { bytes[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        func flags(_ box: Box) -> Int { uint32(box.body) & 0xFF_FFFF }
        let headerFlags = flags(tfhd)
        var cursor = tfhd.body + 8  // version+flags, track_ID
        var base = moof.start
        if headerFlags & 0x01 != 0 {
            base = uint32(cursor) << 32 | uint32(cursor + 4)
            cursor += 8
        }
        if headerFlags & 0x02 != 0 { cursor += 4 }
        if headerFlags & 0x08 != 0 { cursor += 4 }
        let defaultSize = headerFlags & 0x10 != 0 ? uint32(cursor) : nil

        let runFlags = flags(trun)
        cursor = trun.body + 8  // version+flags, sample_count
        guard runFlags & 0x01 != 0 else { return nil }
        let dataOffset = Int(Int32(truncatingIfNeeded: uint32(cursor)))
        cursor += 4
        if runFlags & 0x04 != 0 { cursor += 4 }
        if runFlags & 0x100 != 0 { cursor += 4 }
        guard let size = runFlags & 0x200 != 0 ? uint32(cursor) : defaultSize else { return nil }
        return MediaPlaylist.ByteRange(length: base + dataOffset + size - moof.start, offset: moof.start)
    }

    private struct Box {
        let type: String
        let start: Int
        let body: Int
        let end: Int
    }

    /// The boxes laid end to end in `bytes[from..<to]`.
    private static func boxes(in bytes: [UInt8], from: Int, to: Int) -> [Box] {
        var found: [Box] = [], offset = from
        while offset + 8 <= to {
            var size = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            var header = 8
            if size == 1, offset + 16 <= to {
                size = bytes[offset + 8..<offset + 16].reduce(0) { $0 << 8 | Int($1) }
                header = 16
            } else if size == 0 {
                size = to - offset
            }
            guard size >= header, offset + size <= to else { break }
            let type = String(decoding: bytes[offset + 4..<offset + 8], as: UTF8.self)
            found.append(Box(type: type, start: offset, body: offset + header, end: offset + size))
            offset += size
        }
        return found
    }
}
