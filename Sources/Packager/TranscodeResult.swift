import VaultLayout

/// What a transcode published: one entry per video rung, audio and subtitle rendition,
/// with the sizes and bit rates measured on the files written, and the warnings about
/// tracks left out. Encodes as the `--json` summary.
public struct TranscodeResult: Sendable, Codable, Equatable {
    public struct VideoRendition: Sendable, Codable, Equatable {
        public var name: String
        public var width: Int
        public var height: Int
        /// Bytes of all its segments and init segment.
        public var size: Int
        /// The variant's BANDWIDTH and AVERAGE-BANDWIDTH (audio included), bits per second.
        public var bandwidth: Int
        public var averageBandwidth: Int
        public var codecs: String
        public var playlist: String
        /// The keyframes-only playlist for trick play (fMP4 rungs).
        public var iFramePlaylist: String?
    }

    public struct AudioRendition: Sendable, Codable, Equatable {
        public var language: String
        public var name: String
        public var isDefault: Bool
        public var channels: Int
        public var size: Int
        public var bandwidth: Int
        public var codecs: String
        public var playlist: String
        /// The dubbing file it was made from; nil for a stream of the source.
        public var sidecar: String?
        /// nil: AAC, the stereo group.
        public var codec: AudioCodec? = nil
    }

    public struct SubtitleRendition: Sendable, Codable, Equatable {
        public var language: String
        public var name: String
        public var isForced: Bool
        public var isHearingImpaired: Bool
        public var cues: Int
        public var playlist: String
        /// The whole track as one WebVTT file.
        public var file: String
        /// The subtitle file it was made from; nil for a stream of the source.
        public var sidecar: String?
    }

    /// Scrubbing previews: a sprite of tiles and the WebVTT cues that point into it.
    public struct Storyboard: Sendable, Codable, Equatable {
        public var image: String
        public var cues: String
        public var tileWidth: Int
        public var tileHeight: Int
        public var tiles: Int
        /// Seconds between two tiles.
        public var interval: Double
    }

    public var input: String
    public var output: String
    public var preset: String
    /// Seconds of media in the title.
    public var duration: Double
    public var frameRate: Double?
    public var video: [VideoRendition]
    public var audio: [AudioRendition]
    public var subtitles: [SubtitleRendition]
    public var poster: String?
    public var storyboard: Storyboard?
    /// The MPEG-DASH manifest (fMP4 titles).
    public var dash: String?
    /// Tracks left out and why, each naming its file ("…/x.srt: holds no subtitle cue").
    public var warnings: [String]
    /// Wall-clock seconds the transcode took.
    public var elapsed: Double
    /// Media seconds per wall-clock second (×realtime).
    public var speed: Double
}
