import Foundation

/// The one place that knows how a published title is laid out on disk (SPEC §5).
public struct SegmentLayout: Sendable {
    public let root: URL
    public let format: Preset.SegmentFormat

    public init(root: URL, format: Preset.SegmentFormat) {
        self.root = root
        self.format = format
    }

    public static let masterPlaylistName = "master.m3u8"
    public static let mediaPlaylistName = "index.m3u8"
    public static let initSegmentName = "init.mp4"
    public static let posterName = "poster.jpg"

    public var masterPlaylist: URL { root.appendingPathComponent(Self.masterPlaylistName) }
    public var poster: URL { root.appendingPathComponent(Self.posterName) }

    /// Folder of a video rung, named after it (`720p`).
    public func rungFolder(_ rung: String) -> URL { root.appendingPathComponent(rung, isDirectory: true) }
    /// Folder of an audio rendition (`audio/en`).
    public func audioFolder(_ name: String) -> URL { root.appendingPathComponent("audio/\(name)", isDirectory: true) }

    /// Folder of a subtitle rendition's WebVTT segments (`subs/en`).
    public func subtitleFolder(_ name: String) -> URL { root.appendingPathComponent("subs/\(name)", isDirectory: true) }
    /// The whole subtitle track in one WebVTT file (`subs/en.vtt`), for `<track>` elements.
    public func subtitleFile(_ name: String) -> URL { root.appendingPathComponent("subs/\(name).vtt") }
    /// The WebVTT file of subtitle segment `segment` (0-based): `seg_00001.vtt`.
    public static func subtitleSegmentName(_ segment: Int) -> String { String(format: "seg_%05d.vtt", fileNumber(segment)) }

    /// Segment files are numbered from 1: segment 0 is `seg_00001`.
    public static func fileNumber(_ segment: Int) -> Int { segment + 1 }
    /// The file of audio or video segment `segment` (0-based): `seg_00001.m4s`.
    public func segmentName(_ segment: Int) -> String { String(format: "seg_%05d.", Self.fileNumber(segment)) + segmentExtension }
    /// Segment file name pattern for libavformat (`seg_%05d.m4s`).
    public var segmentPattern: String { "seg_%05d.\(segmentExtension)" }
    public var segmentExtension: String { format == .fmp4 ? "m4s" : "ts" }

    /// The same layout rooted elsewhere (a chunk's staging folder).
    public func rooted(at folder: URL) -> SegmentLayout { SegmentLayout(root: folder, format: format) }

    /// Playlist URIs relative to the master playlist.
    public static func relativePlaylist(_ folder: String) -> String { "\(folder)/\(mediaPlaylistName)" }
}
