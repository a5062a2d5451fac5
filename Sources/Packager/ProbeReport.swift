import LibAV

/// What `streamvault probe` tells about a file: its container, every stream, what each
/// becomes, and the ladder the preset would produce.
public struct ProbeReport: Sendable, Codable {
    public struct Stream: Sendable, Codable {
        public var info: StreamInfo
        public var displayAspectRatio: String?
        /// What packaging makes of this stream, or why it is skipped.
        public var plan: String
    }

    public var file: String
    public var container: String
    public var containerName: String
    public var title: String?
    public var duration: Double?
    public var bitRate: Int?
    public var streams: [Stream]
    public var preset: String
    /// The rungs the preset yields for this source, largest first (empty for audio-only).
    public var ladder: [PlannedRung]
    /// Steps applied to the video before scaling (deinterlace, tone map, rotation, rate).
    public var videoProcessing: [String]

    public init(source: MediaSource, preset: Preset) {
        file = source.path
        container = source.formatName
        containerName = source.formatLongName
        title = source.title
        duration = source.duration
        bitRate = source.bitRate
        self.preset = preset.name
        let plan = source.video.map { LadderPlan(source: DisplayGeometry(stream: $0), preset: preset) }
        ladder = plan?.rungs ?? []
        videoProcessing = source.video.map { VideoNormalizer(stream: $0).steps } ?? []
        let folders = source.audioFolderNames
        let defaultAudio = source.defaultAudio?.index
        streams = source.streams.map { info in
            let use: String
            if info.index == source.video?.index {
                use = "video ladder: " + (plan?.rungs.map { "\($0.name) \($0.width)x\($0.height)" }.joined(separator: ", ") ?? "")
            } else if let folder = folders[info.index] {
                let language = Language(streamTag: info.language)
                use = "AAC-LC \(preset.audio.channels == 2 ? "stereo" : "mono") \(preset.audio.sampleRate / 1000) kHz rendition "
                    + "audio/\(folder) (\(language.name))\(info.index == defaultAudio ? ", default" : "")"
            } else {
                use = "skipped: " + (source.skipped.first { $0.stream.index == info.index }?.reason ?? "not used")
            }
            return Stream(info: info, displayAspectRatio: info.displayAspectRatio.map { "\($0.numerator):\($0.denominator)" }, plan: use)
        }
    }
}
