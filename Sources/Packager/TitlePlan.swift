import Foundation
import LibAV

/// Everything decided about a title before any of it is encoded: the ladder, the segment
/// timeline, the chunks, the lead-in that keeps every track's timestamps positive, and the
/// first frame's place on the source's clock. Written once (`plan.json`), read by every
/// task that packages a piece of the title, so the pieces join exactly.
public struct TitlePlan: Codable, Sendable, Equatable {
    /// The source file's path.
    public var source: String
    public var preset: Preset
    public var timeline: SegmentTimeline
    public var chunks: [ChunkPlan]
    public var video: VideoPlan?
    /// How audio renditions are cut; nil when the title gets none.
    public var audio: AudioSegmentation?
    /// How its E-AC-3 renditions are cut (`Preset.surround`); nil when it gets none: no
    /// surround in the preset, no source track of six channels or more, or MPEG-TS segments.
    public var surround: AudioSegmentation?
    /// Whether the title has audio or subtitle renditions (made by the tracks task).
    public var hasTracks: Bool
    /// Seconds every track starts after 0 on the output's clock, so no decode timestamp is
    /// negative (B-frame reordering, AAC priming); the same for every track.
    public var leadIn: Double
    /// Streams of the source left out, each with the reason.
    public var warnings: [String]

    public struct VideoPlan: Codable, Sendable, Equatable {
        public var streamIndex: Int
        public var frameRate: Rational
        public var rungs: [PlannedRung]
        /// RFC 6381 codec string of each rung, in `rungs` order.
        public var codecs: [String]
        /// The normalised first frame's timestamp (frame units): frame index 0.
        public var firstPts: Int64
        /// The first frame's time on the source's clock, seconds.
        public var sourceStart: Double
        /// Frames in a complete title, as the source's length says.
        public var expectedFrames: Int
        /// The language of the CEA-608 captions its packets carry (CC1, in A/53 SEI), which
        /// every rung's encoder keeps; nil when the first `CaptionScan.seconds` carry none.
        public var closedCaptions: Language?
        /// Whether its HDR is kept and what is not, in words (`HDRFormat.assess`).
        public var dynamicRange: [String]?
    }

    /// The lead-in in frames of the video's constant rate.
    public var leadInFrames: Int64 {
        guard let rate = video?.frameRate else { return 0 }
        return Int64((leadIn * rate.doubleValue).rounded())
    }

    /// The lead-in in audio samples.
    public var leadInSamples: Int64 {
        Int64((leadIn * Double(preset.audio.sampleRate)).rounded())
    }

    /// The 90 kHz timestamp of the title's first instant (WebVTT `X-TIMESTAMP-MAP`).
    public var presentationStart: Int64 { Int64((leadIn * 90_000).rounded()) }

    /// Expected length, seconds: the video's frames, else the timeline's.
    public var expectedDuration: Double {
        guard let video else { return timeline.expectedDuration }
        return Double(video.expectedFrames) * Double(video.frameRate.denominator) / Double(video.frameRate.numerator)
    }

    /// The one chunk that is the whole title.
    public static let wholeTitle = [ChunkPlan(index: 0, firstSegment: 0, segmentCount: nil)]
}

extension TitlePlan {
    /// How a title's video is split into tasks.
    public enum Chunking: Sendable {
        /// One chunk: the whole title in one piece (`streamvault transcode`).
        case whole
        /// Short first chunks, then longer ones for this many video workers on the vault
        /// (`ChunkPlan.split`), for the daemon.
        case progressive(workers: Int)
    }

    /// Plans the packaging of `path`: opens it, checks that its video decodes, finds its
    /// first frame, opens each rung's encoder once to learn its codec string and reordering.
    public init(path: String, preset: Preset, sidecars: [Sidecar], chunking: Chunking) throws {
        let source = try MediaSource(path: path)
        let planned = try source.video.map { try Self.planVideo(source: source, stream: $0, preset: preset) }
        let tracks = TrackPlan(source: source, sidecars: sidecars, captions: planned?.0.closedCaptions)
        self.source = path
        self.preset = preset
        warnings = source.skipped.filter { !$0.stream.isAttachedPicture }.map {
            "\(path): stream #\($0.stream.index) (\($0.stream.codec)) skipped: \($0.reason)"
        }
        hasTracks = !tracks.audio.isEmpty || !tracks.subtitles.isEmpty
        var priming = 0
        if !tracks.audio.isEmpty {
            let encoder = try AudioFormat.stereo(preset.audio).encoder()
            priming = encoder.initialPadding
            audio = AudioSegmentation(sampleRate: preset.audio.sampleRate, frameSize: encoder.frameSize, priming: priming)
        } else {
            audio = nil
        }
        if let settings = preset.surround, Self.getsSurround(source, tracks: tracks, preset: preset) {
            let encoder = try AudioFormat.surround(settings, sampleRate: preset.audio.sampleRate, sourceChannels: 6).encoder()
            priming = max(priming, encoder.initialPadding)
            surround = AudioSegmentation(sampleRate: preset.audio.sampleRate, frameSize: encoder.frameSize, priming: encoder.initialPadding)
        } else {
            surround = nil
        }
        var seconds = Double(priming) / Double(preset.audio.sampleRate)
        if let (video, reorder) = planned {
            let frame = Double(video.frameRate.denominator) / Double(video.frameRate.numerator)
            seconds = Double(max(reorder, Int((seconds / frame).rounded(.up)))) * frame
            self.video = video
            timeline = SegmentTimeline(segmentDuration: preset.segmentDuration, frameRate: video.frameRate,
                                       keyframeInterval: preset.keyframeInterval,
                                       expectedDuration: Double(video.expectedFrames) * frame)
        } else {
            video = nil
            timeline = SegmentTimeline(segmentDuration: preset.segmentDuration, frameRate: nil,
                                       keyframeInterval: preset.keyframeInterval, expectedDuration: source.expectedDuration ?? 0)
        }
        leadIn = seconds
        switch chunking {
        case _ where video == nil: chunks = []
        case .whole: chunks = Self.wholeTitle
        case .progressive(let workers): chunks = ChunkPlan.split(segments: timeline.plannedCount, workers: workers)
        }
    }

    /// The ladder, codec strings and first frame of the video stream, and the most frames
    /// any rung's encoder reorders by.
    private static func planVideo(source: MediaSource, stream: StreamInfo, preset: Preset) throws -> (VideoPlan, reorder: Int) {
        let decoder = try Decoder(demuxer: source.demuxer, streamIndex: stream.index)
        let normalizer = VideoNormalizer(stream: stream)
        let graph = try FilterGraph(description: normalizer.filterDescription(), decoder: decoder, frameRate: stream.frameRate)
        let rate = normalizer.frameRate
        // The first picture out of the normaliser is frame 0; where it came from on the
        // source's clock lines up audio and subtitles.
        source.demuxer.discardAll(except: [stream.index])
        let packet = try Packet(), decoded = try Frame(), filtered = try Frame()
        var sourceStart: Double?, firstPts: Int64?, firstPicture: HDRMetadata?
        var ended = false
        func drain() throws {
            while firstPts == nil, try decoder.receive(into: decoded) == .ready {
                let pts = decoded.bestEffortTimestamp
                decoded.pts = pts
                if sourceStart == nil { firstPicture = decoded.hdrMetadata }
                if sourceStart == nil, let pts { sourceStart = decoder.timeBase.seconds(pts) }
                try graph.push(decoded)
                decoded.unref()
                if try graph.pull(into: filtered) == .ready { firstPts = filtered.pts ?? 0 }
                filtered.unref()
            }
        }
        while firstPts == nil, !ended {
            do {
                ended = try !source.demuxer.read(into: packet)
            } catch {
                throw PackagingError(file: source.path, cause: .unreadable(error.reason))
            }
            if ended {
                _ = try decoder.send(nil)
            } else if packet.streamIndex == stream.index {
                while try !decoder.send(packet) { try drain() }
            }
            try drain()
        }
        if firstPts == nil, let sourceStart {
            // Ended one frame after the first picture: a title of one frame keeps it.
            let end = sourceStart + Double(rate.denominator) / Double(rate.numerator)
            try graph.close(at: Int64((end / decoder.timeBase.doubleValue).rounded(.up)))
            if try graph.pull(into: filtered) == .ready { firstPts = filtered.pts ?? 0 }
        }
        guard let firstPts, let sourceStart else { throw PackagingError(file: source.path, cause: .noUsableStream) }
        let hdr = HDRFormat.assess(stream, firstPicture: firstPicture)
        let ladder = LadderPlan(source: DisplayGeometry(stream: stream), preset: preset, hdr: hdr.format)
        var codecs: [String] = [], reorder = 0
        let inputs = LadderPlan.inputSizes(of: ladder.rungs, normalised: (graph.outputWidth, graph.outputHeight))
        for (rung, input) in zip(ladder.rungs, inputs) {
            let encoder = try RungEncoder(rung: rung, inputWidth: input.width, inputHeight: input.height, frameRate: rate,
                                          timeBase: graph.outputTimeBase,
                                          grid: KeyframeGrid(interval: preset.keyframeInterval, frameRate: rate), encoderThreads: 1)
            codecs.append(encoder.codecString)
            reorder = max(reorder, encoder.reorderDelay)
        }
        let duration = stream.duration ?? source.expectedDuration ?? 0
        let frames = max(1, Int((duration * rate.doubleValue).rounded()))
        let captions = try? CaptionScan.language(of: source, video: stream, packet: packet)  // a damaged stretch: none
        return (VideoPlan(streamIndex: stream.index, frameRate: rate, rungs: ladder.rungs, codecs: codecs,
                          firstPts: firstPts, sourceStart: sourceStart, expectedFrames: frames, closedCaptions: captions,
                          dynamicRange: hdr.notes), reorder)
    }

    /// Whether a title gets E-AC-3 renditions (SPEC §13): its preset has surround, its
    /// segments are fMP4, and an audio track of its source has six channels or more.
    static func getsSurround(_ source: MediaSource, tracks: TrackPlan, preset: Preset) -> Bool {
        preset.surround != nil && preset.segmentFormat == .fmp4 && tracks.audio.contains { (source.channels(of: $0.origin) ?? 0) >= 6 }
    }

    /// Reads a plan written by `write(to:)`.
    public init(contentsOf url: URL) throws {
        self = try JSONDecoder().decode(TitlePlan.self, from: Data(contentsOf: url))
    }

    public func write(to url: URL) throws {
        try JSONEncoder().encode(self).write(to: url, options: .atomic)
    }
}
