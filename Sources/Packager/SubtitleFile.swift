import Foundation
import LibAV

/// Reads a subtitle sidecar in whatever text encoding it was saved in (UTF-8 with or without
/// BOM, UTF-16 either way, else Windows-1252 / Latin-1): SubRip and WebVTT by readers of our
/// own (`SubRipReader`, `WebVTTReader`: every cue a lenient player shows, nothing shown that
/// is not a cue), ASS/SSA through libavformat once it is UTF-8.
enum SubtitleFile {
    /// What a sidecar holds, on its own clock (a sidecar's zero is the video's first frame).
    enum Contents {
        /// Read by our own readers: cues, and what was left out.
        case read(SubtitleReading)
        /// Decoded by libavformat.
        case events([SubtitleEvent])
    }

    /// The largest sidecar read: a feature film's subtitles are well under 1 MiB.
    static let maximumBytes = 64 << 20

    static func read(at path: String) throws -> Contents {
        let data: Data
        do {
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            guard size <= maximumBytes else {
                throw PackagingError(file: path, cause: .failed("is larger than \(maximumBytes >> 20) MiB (\(size >> 20) MiB): not a subtitle file"))
            }
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch let error as PackagingError {
            throw error
        } catch {
            throw PackagingError(file: path, cause: .unreadable((error as NSError).localizedDescription))
        }
        guard let text = SubtitleText.decode(data) else {
            throw PackagingError(file: path, cause: .failed("the text encoding is not UTF-8, UTF-16 or Latin-1"))
        }
        let kind = URL(fileURLWithPath: path).pathExtension.lowercased()
        if kind == "vtt" || (kind != "srt" && text.drop(while: { $0 == "\u{FEFF}" }).hasPrefix("WEBVTT")) {
            return .read(WebVTTReader.read(text))
        }
        if kind == "srt" { return .read(SubRipReader.read(text)) }
        return .events(try events(of: text, kind: kind, path: path))
    }

    /// libavformat's reading of `text` (ASS, SSA and the rest it knows).
    private static func events(of text: String, kind: String, path: String) throws -> [SubtitleEvent] {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("streamvault-\(UUID().uuidString).\(kind)")
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
