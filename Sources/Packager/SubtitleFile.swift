import Foundation
import LibAV

/// Reads a subtitle sidecar (SubRip, WebVTT, ASS/SSA) in whatever text encoding it was
/// saved in: UTF-8 with or without BOM, UTF-16 (either byte order), else Windows-1252 /
/// Latin-1. libavformat parses it once it is UTF-8.
enum SubtitleFile {
    /// The file's events on its own clock (a sidecar's zero is the video's first frame).
    static func events(at path: String) throws -> [SubtitleEvent] {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw PackagingError(file: path, cause: .unreadable((error as NSError).localizedDescription))
        }
        guard let text = decodeText(data) else {
            throw PackagingError(file: path, cause: .failed("the text encoding is not UTF-8, UTF-16 or Latin-1"))
        }
        let copy = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamvault-\(UUID().uuidString).\(URL(fileURLWithPath: path).pathExtension)")
        try Data(text.utf8).write(to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }

        let demuxer: Demuxer
        do {
            demuxer = try Demuxer(path: copy.path)
        } catch {
            throw PackagingError(file: path, cause: .failed("does not parse as SubRip, WebVTT or ASS subtitles"))
        }
        guard let stream = demuxer.streams.first(where: { $0.kind == .subtitle }) else {
            throw PackagingError(file: path, cause: .failed("holds no subtitle track"))
        }
        let decoder = try SubtitleDecoder(demuxer: demuxer, streamIndex: stream.index)
        let packet = try Packet()
        var events: [SubtitleEvent] = []
        while try demuxer.read(into: packet) {
            if let event = decoder.decode(packet) { events.append(event) }
            packet.unref()
        }
        guard !events.isEmpty else { throw PackagingError(file: path, cause: .failed("holds no subtitle cue")) }
        return events
    }

    /// The text of `data` in the encoding its bytes show: a byte order mark, UTF-16's zero
    /// bytes, valid UTF-8, else Windows-1252 (Latin-1's superset for Western languages).
    static func decodeText(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(4))
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return String(data: data.dropFirst(3), encoding: .utf8) }
        if bytes.starts(with: [0xFF, 0xFE]) { return String(data: data.dropFirst(2), encoding: .utf16LittleEndian) }
        if bytes.starts(with: [0xFE, 0xFF]) { return String(data: data.dropFirst(2), encoding: .utf16BigEndian) }
        let sample = [UInt8](data.prefix(512))
        let zerosAtOdd = stride(from: 1, to: sample.count, by: 2).filter { sample[$0] == 0 }.count
        let zerosAtEven = stride(from: 0, to: sample.count, by: 2).filter { sample[$0] == 0 }.count
        if zerosAtOdd > sample.count / 4 { return String(data: data, encoding: .utf16LittleEndian) }
        if zerosAtEven > sample.count / 4 { return String(data: data, encoding: .utf16BigEndian) }
        if let text = String(data: data, encoding: .utf8) { return text }
        return String(data: data, encoding: .windowsCP1252) ?? String(data: data, encoding: .isoLatin1)
    }
}
