import Foundation

/// How a title's segments are stored: the preset's `segmentFormat`.
public enum SegmentFormat: String, Codable, Sendable {
    /// CMAF fragmented MP4: `init.mp4` + `seg_NNNNN.m4s`.
    case fmp4
    /// MPEG transport stream: `seg_NNNNN.ts`.
    case mpegts
}

/// The one place that knows how a published title is laid out (SPEC §5): its folder and
/// file names, the segment numbering, the URIs its playlists use (relative to the master)
/// and the URLs it is served at. The packager, the publisher, the catalog's documents and
/// the HTTP guard ask it; nothing else spells a file name of a title.
public struct TitleLayout: Sendable {
    /// The title's folder (`media/<id>/`, or a one-shot run's output folder).
    public let root: URL
    public let format: SegmentFormat

    public init(root: URL, format: SegmentFormat) {
        self.root = root
        self.format = format
    }

    // MARK: Names

    public static let masterPlaylistName = "master.m3u8"
    /// The MPEG-DASH manifest of an fMP4 title (SPEC §14), beside the master.
    public static let dashManifestName = "manifest.mpd"
    public static let mediaPlaylistName = "index.m3u8"
    public static let iFramePlaylistName = "iframes.m3u8"
    public static let initSegmentName = "init.mp4"
    public static let posterName = "poster.jpg"
    public static let storyboardImageName = "storyboard.jpg"
    public static let storyboardCuesName = "storyboard.vtt"

    // MARK: Paths inside the title (the URIs of its playlists)

    /// A video rung's folder, named after it (`720p`).
    public static func rungPath(_ rung: String) -> String { rung }
    /// An audio rendition's folder (`audio/en`).
    public static func audioPath(_ folder: String) -> String { "audio/\(folder)" }
    /// A subtitle rendition's folder of WebVTT segments (`subs/en`).
    public static func subtitlePath(_ folder: String) -> String { "subs/\(folder)" }
    /// The whole subtitle track in one WebVTT file (`subs/en.vtt`), for `<track>` elements.
    public static func subtitleFilePath(_ folder: String) -> String { "subs/\(folder).vtt" }

    /// The media playlist of a rendition folder (`720p/index.m3u8`).
    public static func playlist(in folder: String) -> String { "\(folder)/\(mediaPlaylistName)" }
    public static func rungPlaylist(_ rung: String) -> String { playlist(in: rungPath(rung)) }
    public static func audioPlaylist(_ folder: String) -> String { playlist(in: audioPath(folder)) }
    public static func subtitlePlaylist(_ folder: String) -> String { playlist(in: subtitlePath(folder)) }
    /// A rung's I-frame playlist (`720p/iframes.m3u8`).
    public static func iFramePlaylist(_ rung: String) -> String { "\(rungPath(rung))/\(iFramePlaylistName)" }

    // MARK: Files

    public var masterPlaylist: URL { file(Self.masterPlaylistName) }
    public var dashManifest: URL { file(Self.dashManifestName) }
    public var poster: URL { file(Self.posterName) }
    /// A file or folder of the title by its path inside it.
    public func file(_ path: String) -> URL { root.appendingPathComponent(path) }
    public func rungFolder(_ rung: String) -> URL { root.appendingPathComponent(Self.rungPath(rung), isDirectory: true) }
    public func audioFolder(_ folder: String) -> URL { root.appendingPathComponent(Self.audioPath(folder), isDirectory: true) }
    public func subtitleFolder(_ folder: String) -> URL { root.appendingPathComponent(Self.subtitlePath(folder), isDirectory: true) }
    public func subtitleFile(_ folder: String) -> URL { file(Self.subtitleFilePath(folder)) }

    // MARK: Segments

    /// Segment files are numbered from 1: segment 0 is `seg_00001`.
    public static func fileNumber(_ segment: Int) -> Int { segment + 1 }
    /// The file of audio or video segment `segment` (0-based): `seg_00001.m4s`.
    public func segmentName(_ segment: Int) -> String { String(format: "seg_%05d.", Self.fileNumber(segment)) + segmentExtension }
    /// The WebVTT file of subtitle segment `segment` (0-based): `seg_00001.vtt`.
    public static func subtitleSegmentName(_ segment: Int) -> String { String(format: "seg_%05d.vtt", fileNumber(segment)) }
    /// Segment file name pattern of a DASH `SegmentTemplate` (`seg_$Number%05d$.m4s`), whose
    /// `startNumber` is the first segment's file number.
    public var dashSegmentTemplate: String { "seg_$Number%05d$.\(segmentExtension)" }
    /// Segment file name pattern for libavformat (`seg_%05d.m4s`).
    public var segmentPattern: String { "seg_%05d.\(segmentExtension)" }
    public var segmentExtension: String { format == .fmp4 ? "m4s" : "ts" }

    /// The same layout rooted elsewhere (a chunk's staging folder).
    public func rooted(at folder: URL) -> TitleLayout { TitleLayout(root: folder, format: format) }

    // MARK: Served URLs (SPEC §6, §7)

    /// Where titles are served: `/hls/<id>/…`.
    public static let servedPrefix = "/hls/"
    /// The URL of a file of title `id` by its path inside the title (`/hls/<id>/master.m3u8`).
    public static func servedURL(_ id: String, _ path: String) -> String { "\(servedPrefix)\(id)/\(path)" }
    /// Where an encrypted title's key is served: `/keys/<id>` (SPEC §12).
    public static let keyPrefix = "/keys/"
    /// This title's key URL (its folder is `media/<id>`), as its playlists give it.
    public var keyURL: String { Self.keyPrefix + root.lastPathComponent }
}
