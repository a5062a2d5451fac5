import Foundation
import Glibc
import LibAV
import VaultLayout

/// Writes one encoded stream as HLS segment files, each cut where the caller says: every
/// segment is written by a fresh libavformat `hls` muxer numbered for it, so a segment's
/// number, its `tfdt` decode time and its `mfhd` sequence number are those of the whole
/// title whichever piece of it is being packaged. Segments are written under a temporary
/// name and renamed when whole. Media playlists are not its business (`TitlePlaylists`).
/// Not thread-safe: owned by whoever feeds it.
final class SegmentWriter {
    let folder: URL
    private let layout: TitleLayout
    private let encoder: Encoder
    private let codecTag: String?
    private let timescale: Int?
    private let cipher: SegmentCipher?
    private var muxer: Muxer?
    /// The segment being written (0-based), if one is open.
    private(set) var current: Int?
    /// Called with each segment's number once its file is whole.
    var segmentCompleted: (Int) throws -> Void = { _ in }

    /// Prepares `folder`; `encoder` is the stream's encoder (its parameters go in every
    /// segment); `timescale`, a video track's ticks a second in fMP4 (`SegmentTimeline.videoTimescale`);
    /// `cipher`, for an encrypted title, seals each segment and the init section once written.
    init(folder: URL, layout: TitleLayout, encoder: Encoder, codecTag: String? = nil, timescale: Int? = nil,
         cipher: SegmentCipher? = nil) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.folder = folder
        self.layout = layout
        self.encoder = encoder
        self.codecTag = codecTag
        self.timescale = timescale
        self.cipher = cipher
    }

    /// The `hls` muxer takes parameter sets from the encoders' extradata.
    static let wantsGlobalHeader = true

    /// Writes `packet` (encoder time base) into segment `segment`, closing the one before.
    func write(_ packet: Packet, segment: Int) throws {
        if current != segment {
            try close()
            try open(segment)
        }
        try muxer!.write(packet, stream: 0)
    }

    /// Closes the open segment, if any.
    func close() throws {
        guard let muxer, let number = current else { return }
        try muxer.finish()
        self.muxer = nil
        current = nil
        let name = layout.segmentName(number)
        // libavformat's HLS writer does not report failed segment writes; a missing or empty
        // file is how they show. Say why when the folder cannot be written to.
        let size = (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.size] as? Int) ?? 0
        guard size > 0 else {
            throw PackagingError(file: folder.appendingPathComponent(name).path,
                                 cause: .failed(Self.writeProblem(in: folder) ?? "the segmenter wrote nothing"))
        }
        if let cipher {
            // Each segment's muxer writes the init section anew, in the clear.
            try cipher.seal(folder.appendingPathComponent(name), iv: SegmentCipher.iv(segment: number))
            if layout.format == .fmp4 { try cipher.seal(folder.appendingPathComponent(TitleLayout.initSegmentName), iv: SegmentCipher.initIV) }
        }
        try segmentCompleted(number)
    }

    private func open(_ segment: Int) throws {
        let muxer = try Muxer(format: "hls", path: folder.appendingPathComponent(".segment.m3u8").path)
        try muxer.addStream(for: encoder, codecTag: codecTag)
        let number = TitleLayout.fileNumber(segment)
        var options: [(String, String)] = [
            ("hls_time", "1000000"),  // never cut by time: one muxer, one segment
            ("hls_list_size", "0"),
            ("hls_flags", "temp_file"),
            ("start_number", String(number)),
            ("hls_segment_filename", folder.appendingPathComponent(layout.segmentPattern).path),
        ]
        switch layout.format {
        case .fmp4:
            // Each track's `tfdt` carries its real decode time (no per-track shift to zero
            // undone by an edit list): players that ignore edit lists (hls.js, Video.js)
            // keep audio and video as in sync as those that apply them. `fragment_index`
            // numbers the `moof` as in a title written in one piece.
            options += [("hls_segment_type", "fmp4"), ("hls_fmp4_init_filename", TitleLayout.initSegmentName),
                        ("hls_segment_options",
                         "avoid_negative_ts=disabled:movflags=+frag_discont:use_editlist=0:fragment_index=\(number)"
                            + (timescale.map { ":video_track_timescale=\($0)" } ?? ""))]
        case .mpegts:
            options += [("hls_segment_type", "mpegts")]
        }
        try muxer.writeHeader(options: options)
        self.muxer = muxer
        current = segment
    }

    /// Why 64 KiB cannot be written into `folder` ("No space left on device"), if it cannot.
    static func writeProblem(in folder: URL) -> String? {
        let probe = folder.appendingPathComponent(".write-check").path
        let descriptor = Glibc.open(probe, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer {
            Glibc.close(descriptor)
            unlink(probe)
        }
        let block = [UInt8](repeating: 0, count: 64 * 1024)
        let written = Glibc.write(descriptor, block, block.count)
        if written < 0 { return String(cString: strerror(errno)) }
        return written < block.count ? String(cString: strerror(ENOSPC)) : nil
    }
}
