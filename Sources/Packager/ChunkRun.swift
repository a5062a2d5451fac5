import Foundation
import LibAV
import VaultLayout

/// One attempt at a chunk of `ChunkPackager`: the source opened and sought to the chunk, its
/// decoder, the normalising filter graph and the rungs' pipeline (and for HDR rungs a second
/// graph that keeps the source's range, and their own pipeline), the poster and storyboard
/// candidates, and how far the chunk has come. Frame indices count frames of the title's
/// constant rate from its first frame; `pts` values are in the decoder's time-base ticks.
/// Runs once. Not thread-safe: runs on the calling thread; the rungs encode on threads of
/// their own (`RungPipeline`), started by `init` and stopped by `run`.
final class ChunkRun {
    /// The seek landed after the chunk's first frame (a source without an index): the
    /// packager tries again from further back.
    struct MissedStart: Error { let error: PackagingError }

    private let plan: TitlePlan
    private let video: TitlePlan.VideoPlan
    private let chunk: ChunkPlan
    private let folder: PackagingFolder
    private let staging: URL
    /// The chunk's frames: `start..<end`; the title's last chunk has no end.
    private let start: Int
    private let end: Int?
    /// Seconds of one frame at the title's rate.
    private let frameSeconds: Double
    private let source: MediaSource
    private let decoder: Decoder
    private let graph: FilterGraph
    private let grid: KeyframeGrid
    private let pipeline: RungPipeline
    /// The HDR rungs' normaliser and pipeline, and the next frame they take.
    private let hdr: (graph: FilterGraph, pipeline: RungPipeline)?
    private var hdrNext: Int
    private let poster = PosterPicker()
    private let storyboard: Storyboard
    /// Every `posterSpacing`-th frame is a poster candidate.
    private let posterSpacing: Int
    /// One source frame in decoder ticks: the length of a picture that gives none.
    private let sourceFrame: Int64
    /// Seconds on the source's clock past which a picture is dropped as damaged data: the
    /// frame-rate conversion would fill the gap up to it with copies — millions of frames.
    private let latest: Double
    private let packet: Packet, decoded: Frame, filtered: Frame

    /// The next frame to encode.
    private var next: Int
    /// True once the filter graph has given the chunk's end frame.
    private var reachedEnd = false
    /// False after a seek until a keyframe packet: decoding never starts from a picture's references.
    private var sawKeyframe: Bool
    /// Where the pictures decoded so far end, in decoder ticks: where the filter graph closes.
    private var endPts: Int64?

    /// Opens the source at the keyframe before the chunk and the rungs (whose threads start).
    /// - Parameter earlier: seconds the seek aims before the chunk's first frame; 0 for as
    ///   far as the source needs (`warmUp`), nil for no seek (decoding from the start).
    init(of packager: ChunkPackager, seekingEarlier earlier: Double?, into staging: URL) throws {
        plan = packager.plan
        video = packager.video
        chunk = packager.chunk
        folder = packager.folder
        self.staging = staging
        (start, end) = chunk.frames(on: plan.timeline)
        frameSeconds = Double(video.frameRate.denominator) / Double(video.frameRate.numerator)
        source = try MediaSource(path: plan.source)
        source.demuxer.discardAll(except: [video.streamIndex])
        if let earlier {
            let back = earlier > 0 ? earlier : Self.warmUp(for: source.video!, frameRate: video.frameRate)
            let target = video.sourceStart + Double(start) * frameSeconds - back
            if target > video.sourceStart { try source.demuxer.seek(stream: video.streamIndex, toSeconds: target) }
        }
        decoder = try Decoder(demuxer: source.demuxer, streamIndex: video.streamIndex, threads: packager.decoderThreads)
        let stream = source.video!
        let normalizer = VideoNormalizer(stream: stream)
        graph = try FilterGraph(description: normalizer.filterDescription(), decoder: decoder, frameRate: stream.frameRate)
        let hdrGraph = try video.rungs.contains { $0.hdr != nil }
            ? FilterGraph(description: normalizer.filterDescription(keepingHDR: true), decoder: decoder, frameRate: stream.frameRate) : nil
        grid = KeyframeGrid(interval: plan.preset.keyframeInterval, frameRate: video.frameRate)
        storyboard = Storyboard(frameRate: video.frameRate, expectedDuration: plan.expectedDuration)
        posterSpacing = max(1, grid.maximumGap / 4)
        sourceFrame = Int64(max(1, (Double(decoder.timeBase.denominator) * frameSeconds
            / Double(decoder.timeBase.numerator)).rounded()))
        latest = video.sourceStart + plan.expectedDuration * 1.1 + 10
        packet = try Packet()
        decoded = try Frame()
        filtered = try Frame()
        next = start
        hdrNext = start
        sawKeyframe = earlier == nil
        // Last: nothing may throw once the rungs' threads run, until `run` can stop them.
        let rungs = try Self.rungs(of: packager, input: graph, grid: grid, staging: staging)
        pipeline = RungPipeline(rungs: rungs.filter { $0.rung.hdr == nil })
        hdr = hdrGraph.map { ($0, RungPipeline(rungs: rungs.filter { $0.rung.hdr != nil })) }
    }

    /// Seconds the seek aims before the chunk's first frame: for a deinterlaced or
    /// variable-rate source a second, so the deinterlacer and the rate conversion have seen
    /// the pictures before it, as in a run from the start; for others just under half a
    /// frame *after* it (negative): the rate conversion makes the source picture nearest the
    /// chunk's start its first frame, so a keyframe there is where decoding starts, and
    /// otherwise the keyframe before it. Every picture decoded before the chunk is work
    /// thrown away: measured on a 60 s 1080p title, a second per chunk cost 6 % of its CPU,
    /// and aiming half a frame before a source keyframe at the start decoded a whole GOP
    /// (0.7 s per chunk with 2 s GOPs).
    static func warmUp(for stream: StreamInfo, frameRate: Rational) -> Double {
        let constantRate = stream.averageFrameRate?.doubleValue == stream.frameRate?.doubleValue
        return VideoNormalizer(stream: stream).deinterlace || !constantRate ? 1 : -0.45 / frameRate.doubleValue
    }

    /// The chunk's rungs, largest first, each scaling from the pictures of the one above in
    /// its range and writing its segments under `staging`.
    private static func rungs(of packager: ChunkPackager, input graph: FilterGraph, grid: KeyframeGrid,
                              staging: URL) throws -> [RungEncoder] {
        let plan = packager.plan, video = packager.video
        let layout = TitleLayout(root: staging, format: plan.preset.segmentFormat)
        var rungs: [RungEncoder] = []
        let inputs = LadderPlan.inputSizes(of: video.rungs, normalised: (graph.outputWidth, graph.outputHeight))
        for ((rung, threads), input) in zip(zip(video.rungs, packager.threads), inputs) {
            let encoder = try RungEncoder(rung: rung, inputWidth: input.width, inputHeight: input.height,
                                          frameRate: video.frameRate, timeBase: graph.outputTimeBase, grid: grid,
                                          encoderThreads: threads)
            encoder.leadIn = plan.leadInFrames
            try encoder.write(into: layout, timeline: plan.timeline, cipher: packager.cipher)
            rungs.append(encoder)
        }
        return rungs
    }

    /// Encodes the chunk and writes its poster candidate, storyboard tiles and result.
    /// - Parameters:
    ///   - progress: seconds of the chunk done, a few times a second.
    ///   - isCancelled: polled between packets; true throws `.cancelled`.
    func run(progress: (Double) -> Void, isCancelled: () -> Bool) throws -> ChunkResult {
        do {
            try decodePackets(progress: progress, isCancelled: isCancelled)
            if !reachedEnd { try drain() }
        } catch {
            pipeline.abandon()
            hdr?.pipeline.abandon()
            throw error
        }
        do {
            try pipeline.finish()
        } catch {
            hdr?.pipeline.abandon()
            throw error
        }
        try hdr?.pipeline.finish()
        try checkLength()
        let posterScore = try poster.write(to: staging.appendingPathComponent(TitleLayout.posterName))
        try storyboard.writeTiles(to: folder.tiles)
        progress(secondsDone)
        let result = ChunkResult(index: chunk.index, startFrame: start, endFrame: next,
                                 firstSegment: chunk.firstSegment,
                                 segments: plan.timeline.segment(atFrame: next - 1) + 1 - chunk.firstSegment,
                                 posterScore: posterScore)
        try result.write(to: folder.chunkResult(chunk.index))
        return result
    }

    /// Seconds of the chunk encoded so far.
    private var secondsDone: Double { Double(next - start) * frameSeconds }

    /// Decodes the video's packets until the chunk's end or the source's.
    private func decodePackets(progress: (Double) -> Void, isCancelled: () -> Bool) throws {
        var lastReport = ContinuousClock.now
        while !reachedEnd, try source.readPacket(into: packet) {
            if isCancelled() { throw PackagingError(file: plan.source, cause: .cancelled) }
            guard packet.streamIndex == video.streamIndex else { continue }
            if !sawKeyframe {
                guard packet.isKeyframe else { continue }
                sawKeyframe = true
            }
            while try !decoder.send(packet) { try receiveFrames() }
            try receiveFrames()
            if ContinuousClock.now - lastReport > .milliseconds(250) {
                lastReport = .now
                progress(secondsDone)
            }
        }
    }

    /// At the source's end: the pictures the decoder holds, then those the filter graph
    /// holds (closed where the last picture ends).
    private func drain() throws {
        _ = try decoder.send(nil)
        try receiveFrames()
        try graph.close(at: endPts ?? 0)
        try hdr?.graph.close(at: endPts ?? 0)
        try pullFiltered()
    }

    /// Passes the decoded pictures to the filter graph, except one stamped past `latest` or
    /// whose size or format is not the stream's (damaged data).
    private func receiveFrames() throws {
        while !reachedEnd, try decoder.receive(into: decoded) == .ready {
            decoded.pts = decoded.bestEffortTimestamp
            if let pts = decoded.pts, decoder.timeBase.seconds(pts) > latest {
                decoded.unref()
                continue
            }
            guard graph.accepts(decoded) else {  // a damaged picture of another size or format
                decoded.unref()
                continue
            }
            if let pts = decoded.pts {
                let duration = decoded.duration > 0 ? decoded.duration : sourceFrame
                endPts = max(endPts ?? pts + duration, pts + duration)
            }
            try graph.push(decoded)
            try hdr?.graph.push(decoded)
            decoded.unref()
            try pullFiltered()
        }
    }

    /// Hands the chunk's normalised frames to the rungs, the poster and the storyboard, up
    /// to the chunk's end.
    private func pullFiltered() throws {
        try pullSDR()
        try pullHDR()
    }

    /// The SDR normaliser's frames: the SDR rungs', the poster's and the storyboard's.
    private func pullSDR() throws {
        while !reachedEnd, try graph.pull(into: filtered) == .ready {
            defer { filtered.unref() }
            let index = Int((filtered.pts ?? video.firstPts) - video.firstPts)
            if index > next, next == start {
                throw MissedStart(error: PackagingError(file: plan.source, cause: .failed(
                    "cannot find frame \(start) (seeking reached frame \(index))")))
            }
            guard index >= next else { continue }  // before the chunk, or a step back in time
            if let end, index >= end {
                reachedEnd = true
                return
            }
            filtered.pts = Int64(index)
            try pipeline.submit(try Frame(referencing: filtered), keyframe: grid.isKeyframe(index) || index == start)
            if index % posterSpacing == 0 { try poster.consider(filtered) }
            try storyboard.consider(filtered, index: index)
            next = index + 1
        }
    }

    /// The HDR normaliser's frames of the chunk: the SDR one's, as the same pictures go
    /// through the same rate conversion.
    private func pullHDR() throws {
        guard let hdr else { return }
        while try hdr.graph.pull(into: filtered) == .ready {
            defer { filtered.unref() }
            let index = Int((filtered.pts ?? video.firstPts) - video.firstPts)
            guard index >= hdrNext else { continue }
            if let end, index >= end { return }
            filtered.pts = Int64(index)
            try hdr.pipeline.submit(try Frame(referencing: filtered), keyframe: grid.isKeyframe(index) || index == start)
            hdrNext = index + 1
        }
    }

    /// Throws when the chunk ends before its planned end, the title is far shorter than it
    /// said (truncated), or no frame was encoded.
    private func checkLength() throws {
        let decodedSeconds = Double(next) * frameSeconds
        if let end, next < end {
            throw PackagingError(file: plan.source, cause: .truncated(decoded: decodedSeconds, expected: plan.expectedDuration))
        }
        if end == nil, decodedSeconds < plan.expectedDuration - max(1, plan.expectedDuration * 0.05) {
            throw PackagingError(file: plan.source, cause: .truncated(decoded: decodedSeconds, expected: plan.expectedDuration))
        }
        if next <= start { throw PackagingError(file: plan.source, cause: .noUsableStream) }
        if hdr != nil, hdrNext != next {
            throw PackagingError(file: plan.source, cause: .failed("the HDR rungs got \(hdrNext - start) frames, the SDR rungs \(next - start)"))
        }
    }
}
