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
        guard let text = SubtitleText.decode(data) else {
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
}
