import Foundation
import VaultLayout

/// The audio and subtitle renditions a title got, as the tracks task made them: written
/// when it starts (which renditions exist, before any of their segments is listed) and
/// again when it ends (their length and cues). Playlists and the catalog are made from it.
public struct TrackManifest: Codable, Sendable, Equatable {
    public struct Audio: Codable, Sendable, Equatable {
        public var folder: String
        public var language: Language
        public var name: String
        public var isDefault: Bool
        public var channels: Int
        public var codecs: String
        /// The dubbing file it was made from; nil for a stream of the source.
        public var sidecar: String?
        /// nil: AAC (the stereo group; a manifest written before surround says none).
        public var codec: AudioCodec?

        /// Its group in the master: `aac` or `eac3`.
        public var group: AudioCodec { codec ?? .aac }
    }

    public struct Subtitle: Codable, Sendable, Equatable {
        public var folder: String
        public var language: Language
        public var name: String
        public var isForced: Bool
        public var isHearingImpaired: Bool
        public var sidecar: String?
        /// Its cues on the title's clock; known when the task ends.
        public var cues: [SubtitleCue]?

        /// Playlist URI relative to the master playlist (`subs/en/index.m3u8`).
        public var playlistURI: String { TitleLayout.subtitlePlaylist(folder) }
        /// The whole-track file relative to the title (`subs/en.vtt`).
        public var fileURI: String { TitleLayout.subtitleFilePath(folder) }
    }

    public var audio: [Audio] = []
    public var subtitles: [Subtitle] = []
    /// Tracks left out, or published with cues dropped, and why (SPEC §16).
    public var warnings: [TrackWarning] = []
    /// Subtitle segments written so far (the rest, up to the title's end, by the finish).
    public var subtitleSegments = 0
    /// Set when the task is done: the audio renditions' segments and samples (title clock).
    public var audioSegments: Int?
    public var audioSamples: Int64?
    /// The same of the E-AC-3 renditions, if any (their own packets, their own priming).
    public var surroundSegments: Int?
    public var surroundSamples: Int64?

    public init() {}

    public init(contentsOf url: URL) throws {
        self = try JSONDecoder().decode(TrackManifest.self, from: Data(contentsOf: url))
    }

    public func write(to url: URL) throws { try JSONEncoder().encode(self).write(to: url, options: .atomic) }
}
