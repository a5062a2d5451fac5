import Foundation
import Glibc
import LibAV

/// Cuts one encoded stream into HLS segments plus a VOD media playlist with libavformat's
/// `hls` muxer, in a folder of the title. Not thread-safe: owned by whoever feeds it.
final class HLSSegmenter {
    private let muxer: Muxer
    let folder: URL

    /// Prepares the folder; `addStream` then `start` before writing.
    init(folder: URL, layout: SegmentLayout) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.folder = folder
        muxer = try Muxer(format: "hls", path: folder.appendingPathComponent(SegmentLayout.mediaPlaylistName).path)
        self.layout = layout
    }

    private let layout: SegmentLayout

    var wantsGlobalHeader: Bool { muxer.wantsGlobalHeader }

    func addStream(for encoder: Encoder, codecTag: String? = nil) throws {
        try muxer.addStream(for: encoder, codecTag: codecTag)
    }

    /// Writes the header: segments of `segmentDuration` seconds, cut at keyframes.
    func start(segmentDuration: Double) throws {
        var options: [(String, String)] = [
            ("hls_time", String(segmentDuration)),
            ("hls_list_size", "0"),
            ("hls_playlist_type", "vod"),
            ("hls_flags", "independent_segments"),
            ("start_number", "1"),
            ("hls_segment_filename", folder.appendingPathComponent(layout.segmentPattern).path),
        ]
        switch layout.format {
        case .fmp4:
            // Each track's `tfdt` carries its real decode time (no per-track shift to zero
            // undone by an edit list): players that ignore edit lists (hls.js, Video.js)
            // then keep audio and video as in sync as those that apply them.
            options += [("hls_segment_type", "fmp4"), ("hls_fmp4_init_filename", SegmentLayout.initSegmentName),
                        ("hls_segment_options", "avoid_negative_ts=disabled:movflags=+frag_discont:use_editlist=0")]
        case .mpegts:
            options += [("hls_segment_type", "mpegts")]
        }
        try muxer.writeHeader(options: options)
    }

    func write(_ packet: Packet) throws { try muxer.write(packet, stream: 0) }

    /// Closes the last segment and rewrites the playlist so the segment durations add up
    /// to `duration` seconds: libavformat's last EXTINF ends at the last packet's start,
    /// not at the end of the media.
    func finish(duration: Double) throws {
        try muxer.finish()
        // libavformat's HLS writer does not report failed segment writes; a missing or
        // empty playlist is how they show. Say why when the folder cannot be written to.
        guard let text = try? String(contentsOf: playlist, encoding: .utf8), var media = MediaPlaylist(text: text),
              let last = media.segments.indices.last else {
            throw PackagingError(file: playlist.path, cause: .failed(Self.writeProblem(in: folder) ?? "the segmenter wrote no segment"))
        }
        let before = media.segments.dropLast().reduce(0) { $0 + $1.duration }
        media.segments[last].duration = max(media.segments[last].duration, duration - before)
        media.targetDuration = max(media.targetDuration, Int(media.segments.map(\.duration).max()!.rounded()))
        media.hasIndependentSegments = true
        media.playlistType = "VOD"
        try media.render().write(to: playlist, atomically: false, encoding: .utf8)
    }

    var playlist: URL { folder.appendingPathComponent(SegmentLayout.mediaPlaylistName) }

    /// Why 64 KiB cannot be written into `folder` ("No space left on device"), if it cannot.
    static func writeProblem(in folder: URL) -> String? {
        let probe = folder.appendingPathComponent(".write-check").path
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer {
            close(descriptor)
            unlink(probe)
        }
        let block = [UInt8](repeating: 0, count: 64 * 1024)
        let written = Glibc.write(descriptor, block, block.count)
        if written < 0 { return String(cString: strerror(errno)) }
        return written < block.count ? String(cString: strerror(ENOSPC)) : nil
    }
}
