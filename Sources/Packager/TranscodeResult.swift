/// What a transcode published: one entry per video rung and audio rendition, with the
/// sizes and bit rates measured on the files written. Encodes as the `--json` summary.
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
    }

    public var input: String
    public var output: String
    public var preset: String
    /// Seconds of media in the title.
    public var duration: Double
    public var frameRate: Double?
    public var video: [VideoRendition]
    public var audio: [AudioRendition]
    public var poster: String?
    /// Wall-clock seconds the transcode took.
    public var elapsed: Double
    /// Media seconds per wall-clock second (×realtime).
    public var speed: Double
}
