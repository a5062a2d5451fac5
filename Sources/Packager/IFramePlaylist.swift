import Foundation
import VaultLayout

/// Trick play for one rung: an `EXT-X-I-FRAMES-ONLY` playlist whose entries are byte ranges
/// of the keyframe that opens each segment, as Apple's HLS authoring rules ask for scrubbing
/// and fast-forward: in fMP4 its `moof` box through the end of the keyframe's data, in
/// MPEG-TS the segment's PAT and PMT through the end of the keyframe's PES packet.
struct IFramePlaylist {
    let playlist: MediaPlaylist
    /// Peak and average bit rate of the keyframes alone, bits per second.
    let peak: Int
    let average: Int

    /// Reads the rung's media playlist and segments in `folder`; nil when a segment's
    /// keyframe cannot be found.
    init?(rungFolder folder: URL) throws {
        let text = try String(contentsOf: folder.appendingPathComponent(TitleLayout.mediaPlaylistName), encoding: .utf8)
        guard let media = MediaPlaylist(text: text) else { return nil }
        var entries: [MediaPlaylist.Segment] = []
        for segment in media.segments {
            guard let range = try Self.keyframeRange(in: folder.appendingPathComponent(segment.uri),
                                                     transportStream: media.initSegment == nil) else { return nil }
            entries.append(MediaPlaylist.Segment(duration: segment.duration, uri: segment.uri, byteRange: range))
        }
        playlist = MediaPlaylist(version: media.initSegment == nil ? 4 : 7, initSegment: media.initSegment,
                                 isIFramesOnly: true, segments: entries)
        peak = entries.map { Int(Double($0.byteRange!.length * 8) / max($0.duration, 0.001)) }.max() ?? 0
        let seconds = entries.reduce(0) { $0 + $1.duration }
        average = seconds > 0 ? Int(Double(entries.reduce(0) { $0 + $1.byteRange!.length } * 8) / seconds) : 0
    }

    func write(to folder: URL) throws {
        try playlist.render().write(to: folder.appendingPathComponent(TitleLayout.iFramePlaylistName), atomically: false, encoding: .utf8)
    }

    /// Finds a segment's keyframe reading as little of it as it takes: 256 KiB, then four
    /// times more each time (a 4K segment is megabytes; its `moof` is a few hundred bytes in).
    static func keyframeRange(in url: URL, transportStream: Bool) throws -> MediaPlaylist.ByteRange? {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var data = Data(), wanted = 256 * 1024
        while true {
            if let chunk = try handle.read(upToCount: wanted - data.count) { data.append(chunk) }
            let isWhole = data.count < wanted
            let range = transportStream ? firstKeyframeRange(inTransportStream: data, isWholeSegment: isWhole)
                                        : firstSampleRange(in: data)
            if range != nil || isWhole { return range }
            wanted *= 4
        }
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

    /// From the start of an MPEG-TS segment (its PAT and PMT) to the end of its first video
    /// PES packet — the keyframe every segment opens with (ISO/IEC 13818-1 §2.4). In a
    /// prefix of the segment (`isWholeSegment` false) a keyframe that runs to the end of the
    /// data is not known to end there: nil.
    static func firstKeyframeRange(inTransportStream data: Data, isWholeSegment: Bool) -> MediaPlaylist.ByteRange? {
        let bytes = [UInt8](data), size = 188
        func pid(at index: Int) -> Int { Int(bytes[index] & 0x1F) << 8 | Int(bytes[index + 1]) }
        var mapPID: Int?, videoPID: Int?, started = false, offset = 0
        while offset + size <= bytes.count, bytes[offset] == 0x47 {
            let startsUnit = bytes[offset + 1] & 0x40 != 0
            let packetPID = pid(at: offset + 1)
            let control = bytes[offset + 3] >> 4 & 0x3
            let payload = offset + 4 + (control & 0x2 != 0 ? 1 + Int(bytes[offset + 4]) : 0)
            if packetPID == videoPID, startsUnit {
                if started { return MediaPlaylist.ByteRange(length: offset, offset: 0) }
                started = true
            } else if startsUnit, control & 0x1 != 0, payload < offset + size, packetPID == 0 || packetPID == mapPID {
                let section = payload + 1 + Int(bytes[payload])  // after the pointer field
                guard section + 12 < offset + size else { return nil }
                if packetPID == 0 {
                    mapPID = pid(at: section + 10)  // the first program's PMT
                } else {
                    let end = min(offset + size, section + 3 + (Int(bytes[section + 1] & 0x0F) << 8 | Int(bytes[section + 2])) - 4)
                    var entry = section + 12 + (Int(bytes[section + 10] & 0x0F) << 8 | Int(bytes[section + 11]))
                    while entry + 5 <= end, videoPID == nil {
                        if [0x1B, 0x24].contains(bytes[entry]) { videoPID = pid(at: entry + 1) }  // H.264, HEVC
                        entry += 5 + (Int(bytes[entry + 3] & 0x0F) << 8 | Int(bytes[entry + 4]))
                    }
                }
            }
            offset += size
        }
        return started && isWholeSegment ? MediaPlaylist.ByteRange(length: offset, offset: 0) : nil
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
