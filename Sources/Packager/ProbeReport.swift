import Foundation
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
    /// Why the ladder is what it is: the preset's rungs left out (above the source's height,
    /// HDR rungs for an SDR source) and what of the source's HDR is kept.
    public var ladderNotes: [String]
    /// Steps applied to the video before scaling (deinterlace, tone map, rotation, rate).
    public var videoProcessing: [String]
    /// A sidecar file given, with what it becomes; for subtitles, the cues it would publish
    /// (those read that fall within the title) and those that cannot be read.
    public struct SidecarUse: Sendable, Codable {
        public var sidecar: Sidecar
        public var plan: String
        public var cues: Int?
        public var cuesDropped: Int?
    }

    public var sidecars: [SidecarUse]

    public init(source: MediaSource, preset: Preset, sidecars: [Sidecar] = []) {
        file = source.path
        container = source.formatName
        containerName = source.formatLongName
        title = source.title
        duration = source.duration
        bitRate = source.bitRate
        self.preset = preset.name
        // The first picture first, then the captions from there on, as planning reads them.
        let hdr = source.video.map { video in
            HDRFormat.assess(video, firstPicture: video.isHDR ? HDRFormat.firstPicture(of: source, stream: video) : nil)
        }
        let captions = source.video.flatMap { video in (try? Packet()).flatMap { try? CaptionScan.language(of: source, video: video, packet: $0) } }
        let plan = source.video.map { LadderPlan(source: DisplayGeometry(stream: $0), preset: preset, hdr: hdr?.format) }
        ladder = plan?.rungs ?? []
        ladderNotes = plan.map { Self.notes(on: $0, preset: preset) } ?? []
        if let hdr, preset.rungs.contains(where: \.isHDR) { ladderNotes += hdr.notes }
        videoProcessing = source.video.map { VideoNormalizer(stream: $0).steps } ?? []
        let tracks = TrackPlan(source: source, sidecars: sidecars, captions: captions)
        // The E-AC-3 format of a track of so many channels, when the title gets surround.
        let surround: ((Int) -> AudioFormat)? = TitlePlan.getsSurround(source, tracks: tracks, preset: preset)
            ? preset.surround.map { settings in { AudioFormat.surround(settings, sampleRate: preset.audio.sampleRate, sourceChannels: $0) } }
            : nil
        let audioFormat = "AAC-LC \(preset.audio.channels == 2 ? "stereo" : "\(preset.audio.channels) ch") \(preset.audio.sampleRate / 1000) kHz"
        streams = source.streams.map { info in
            let use: String
            if info.index == source.video?.index {
                use = "video ladder: " + (plan?.rungs.map { "\($0.name) \($0.width)x\($0.height)" }.joined(separator: ", ") ?? "")
                    + (captions.map { language in
                        "; closed captions CC1 [\(language.tag)] kept in every rung, and as WebVTT rendition subs/"
                            + (tracks.subtitles.first { $0.origin == .captions(info.index) }?.folder ?? "cc1")
                    } ?? "")
            } else if let track = tracks.audio.first(where: { $0.origin == .stream(info.index) }) {
                use = "\(audioFormat) rendition audio/\(track.folder) \"\(track.name)\" [\(track.language.tag)]\(track.isDefault ? ", default" : "")"
                    + (surround.map { "; E-AC-3 \($0(info.channels ?? 2).channels) ch rendition audio/\(track.folder)-eac3" } ?? "")
            } else if let track = tracks.subtitles.first(where: { $0.origin == .stream(info.index) }) {
                use = "WebVTT rendition subs/\(track.folder) \"\(track.name)\" [\(track.language.tag)]\(track.isForced ? ", forced" : "")"
            } else {
                use = "skipped: " + (source.skipped.first { $0.stream.index == info.index }?.reason ?? "not used")
            }
            return Stream(info: info, displayAspectRatio: info.displayAspectRatio.map { "\($0.numerator):\($0.denominator)" }, plan: use)
        }
        self.sidecars = sidecars.map { sidecar in
            if let track = tracks.audio.first(where: { $0.origin == .sidecar(sidecar.path) }) {
                SidecarUse(sidecar: sidecar, plan: "dubbing: \(audioFormat) rendition audio/\(track.folder) \"\(track.name)\" [\(track.language.tag)]")
            } else {
                Self.subtitleUse(sidecar, folder: tracks.subtitles.first { $0.origin == .sidecar(sidecar.path) }?.folder ?? "?",
                                 duration: source.duration ?? .infinity)
            }
        }
    }

    /// The preset's rungs the ladder leaves out, and why.
    private static func notes(on ladder: LadderPlan, preset: Preset) -> [String] {
        let above = preset.rungs.filter { $0.height > ladder.source.shortSide }.map(\.name)
        let hdr = preset.rungs.filter { $0.isHDR && $0.height <= ladder.source.shortSide && !ladder.rungs.map(\.name).contains($0.name) }
        return (above.isEmpty ? [] : ["above the source's \(ladder.source.shortSide)p, left out: \(above.joined(separator: ", "))"])
            + (hdr.isEmpty ? [] : ["HDR rungs left out (the source has no HDR they can keep): \(hdr.map(\.name).joined(separator: ", "))"])
    }

    /// A subtitle sidecar read as packaging would read it: its cues within the title, or why
    /// it would be left out.
    private static func subtitleUse(_ sidecar: Sidecar, folder: String, duration: Double) -> SidecarUse {
        let rendition = "WebVTT rendition subs/\(folder) \"\(sidecar.displayName)\" [\(sidecar.language.tag)]"
        do {
            let contents = try SubtitleFile.read(at: sidecar.path, language: sidecar.language)
            let cues = contents.reading.cues.count { $0.placed(offset: 0, duration: duration) != nil }
            let file = URL(fileURLWithPath: sidecar.path).lastPathComponent
            let warning = TrackProblem.warning(for: contents, cuesInTitle: cues, file: file, language: sidecar.language)
            let plan = cues == 0 ? "left out: \(warning?.reason ?? "no cue")" : "\(rendition), \(cues) cue(s)" + (warning.map { " (\($0.reason))" } ?? "")
            return SidecarUse(sidecar: sidecar, plan: plan, cues: cues, cuesDropped: contents.reading.droppedCount)
        } catch {
            return SidecarUse(sidecar: sidecar, plan: "left out: \((error as? PackagingError)?.reason ?? "\(error)")")
        }
    }
}
