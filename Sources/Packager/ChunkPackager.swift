import Foundation
import LibAV
import VaultLayout

/// Packages one chunk of a title's video: every rung for the chunk's frames, as segments
/// numbered and timed as in the whole title. It seeks to the keyframe before the chunk,
/// decodes once, normalises (deinterlace, constant rate, tone map, rotation, 8-bit 4:2:0),
/// drops what comes before the chunk, and feeds every rung, largest first, each rung
/// scaling from the one above it; it also offers the chunk's poster candidate and its
/// storyboard tiles. The whole-title run is the chunk that starts at 0 and has no end.
/// Not thread-safe: runs on the calling thread (libav's codecs run their own threads).
public final class ChunkPackager {
    public let plan: TitlePlan
    public let chunk: ChunkPlan
    private let video: TitlePlan.VideoPlan
    private let folder: PackagingFolder
    /// x264 frame threads of each rung, and the decoder's threads.
    private let threads: [Int]
    private let decoderThreads: Int

    /// - Parameters:
    ///   - folder: the job's scratch folder; the chunk is written into its staging folder.
    ///   - tasks: how many packaging tasks run side by side on this machine (encoder threads
    ///     are shared between them).
    public init(plan: TitlePlan, chunk: ChunkPlan, folder: PackagingFolder, tasks: Int = 1) throws {
        guard let video = plan.video else { throw PackagingError(file: plan.source, cause: .noUsableStream) }
        self.plan = plan
        self.chunk = chunk
        self.video = video
        self.folder = folder
        threads = RungEncoder.threadsPerRung(video.rungs, tasks: tasks)
        // The decoder runs beside the rungs' threads; its own frame threads would mostly hold
        // more pictures in memory. A task with many cores gives it one per four.
        decoderThreads = max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, tasks) / 4)
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

    /// Writes the chunk into its staging folder (emptied first) and returns what it made.
    /// - Parameters:
    ///   - progress: seconds of the chunk done, a few times a second.
    ///   - isCancelled: polled between packets; true throws `.cancelled`.
    public func run(progress: (Double) -> Void = { _ in }, isCancelled: () -> Bool = { false }) throws -> ChunkResult {
        let staging = folder.chunkStaging(chunk.index)
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let (start, end) = chunk.frames(on: plan.timeline)
        var earlier: Double? = start > 0 ? 0 : nil  // 0: as the source needs (`warmUp`); nil: no seek
        while true {
            do {
                return try encode(start: start, end: end, seekingEarlier: earlier, into: staging, progress: progress,
                                  isCancelled: isCancelled)
            } catch let missed as MissedStart {
                // The demuxer landed after the chunk's start (no index): seek further back.
                guard let seconds = earlier, seconds < 60 else { throw missed.error }
                earlier = seconds < 1 ? 1 : seconds < 10 ? 10 : 60
                try? FileManager.default.removeItem(at: staging)
                try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            } catch let error as LibAVError {
                throw PackagingError(file: plan.source, cause: .failed(error.description))
            }
        }
    }

    private struct MissedStart: Error { let error: PackagingError }

    private func encode(start: Int, end: Int?, seekingEarlier earlier: Double?, into staging: URL,
                        progress: (Double) -> Void, isCancelled: () -> Bool) throws -> ChunkResult {
        let source = try MediaSource(path: plan.source)
        let demuxer = source.demuxer
        demuxer.discardAll(except: [video.streamIndex])
        let frameSeconds = Double(video.frameRate.denominator) / Double(video.frameRate.numerator)
        if let earlier {
            let back = earlier > 0 ? earlier : Self.warmUp(for: source.video!, frameRate: video.frameRate)
            let target = video.sourceStart + Double(start) * frameSeconds - back
            if target > video.sourceStart { try demuxer.seek(stream: video.streamIndex, toSeconds: target) }
        }
        let decoder = try Decoder(demuxer: demuxer, streamIndex: video.streamIndex, threads: decoderThreads)
        let stream = source.video!
        let normalizer = VideoNormalizer(stream: stream)
        let graph = try FilterGraph(description: normalizer.filterDescription, decoder: decoder, frameRate: stream.frameRate)
        let grid = KeyframeGrid(interval: plan.preset.keyframeInterval, frameRate: video.frameRate)
        let layout = TitleLayout(root: staging, format: plan.preset.segmentFormat)
        var rungs: [RungEncoder] = []
        var inputSize = (width: graph.outputWidth, height: graph.outputHeight)
        for (rung, threads) in zip(video.rungs, threads) {
            let encoder = try RungEncoder(rung: rung, inputWidth: inputSize.width, inputHeight: inputSize.height,
                                          frameRate: video.frameRate, timeBase: graph.outputTimeBase, grid: grid,
                                          encoderThreads: threads)
            encoder.leadIn = plan.leadInFrames
            try encoder.write(into: layout, timeline: plan.timeline)
            rungs.append(encoder)
            inputSize = (rung.width, rung.height)
        }
        let pipeline = RungPipeline(rungs: rungs)
        var finished = false
        defer { if !finished { pipeline.abandon() } }
        let poster = PosterPicker()
        let storyboard = Storyboard(frameRate: video.frameRate, expectedDuration: plan.expectedDuration)
        let posterSpacing = max(1, grid.maximumGap / 4)
        let sourceFrame = Int64(max(1, (Double(decoder.timeBase.denominator) * frameSeconds
            / Double(decoder.timeBase.numerator)).rounded()))

        let packet = try Packet(), decoded = try Frame(), filtered = try Frame()
        var next = start  // the next frame index to encode
        var reachedEnd = false, sawKeyframe = earlier == nil, endPts: Int64?
        var lastReport = ContinuousClock.now

        func pullFiltered() throws {
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
        // A picture stamped far past the title's end (damaged data) is dropped: frame-rate
        // conversion would fill the gap up to it with copies — millions of frames. So is one
        // whose size or format is not the stream's.
        let latest = video.sourceStart + plan.expectedDuration * 1.1 + 10
        func receiveFrames() throws {
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
                decoded.unref()
                try pullFiltered()
            }
        }

        while !reachedEnd, try source.readPacket(into: packet) {
            if isCancelled() { throw PackagingError(file: plan.source, cause: .cancelled) }
            guard packet.streamIndex == video.streamIndex else { continue }
            // After a seek, decoding starts at a keyframe, never from a picture's references.
            if !sawKeyframe {
                guard packet.isKeyframe else { continue }
                sawKeyframe = true
            }
            while try !decoder.send(packet) { try receiveFrames() }
            try receiveFrames()
            if ContinuousClock.now - lastReport > .milliseconds(250) {
                lastReport = .now
                progress(Double(next - start) * frameSeconds)
            }
        }
        if !reachedEnd {
            _ = try decoder.send(nil)
            try receiveFrames()
            try graph.close(at: endPts ?? 0)
            try pullFiltered()
        }
        finished = true
        try pipeline.finish()

        // A chunk that ends before its planned end, or a title far shorter than it said: truncated.
        let decodedSeconds = Double(next) * frameSeconds
        if let end, next < end {
            throw PackagingError(file: plan.source, cause: .truncated(decoded: decodedSeconds, expected: plan.expectedDuration))
        }
        if end == nil, decodedSeconds < plan.expectedDuration - max(1, plan.expectedDuration * 0.05) {
            throw PackagingError(file: plan.source, cause: .truncated(decoded: decodedSeconds, expected: plan.expectedDuration))
        }
        if next <= start { throw PackagingError(file: plan.source, cause: .noUsableStream) }
        let posterScore = try poster.write(to: staging.appendingPathComponent(TitleLayout.posterName))
        try storyboard.writeTiles(to: folder.tiles)
        progress(Double(next - start) * frameSeconds)
        let result = ChunkResult(index: chunk.index, startFrame: start, endFrame: next,
                                 firstSegment: chunk.firstSegment,
                                 segments: plan.timeline.segment(atFrame: next - 1) + 1 - chunk.firstSegment,
                                 posterScore: posterScore)
        try result.write(to: folder.chunkResult(chunk.index))
        return result
    }

    /// Moves a finished chunk's segments from its staging folder into the title's folder
    /// (`title`): each rung's segments by rename, its init segment only if the title has
    /// none yet (every chunk writes the same one). Safe to repeat after a crash.
    public static func moveSegments(of result: ChunkResult, plan: TitlePlan, folder: PackagingFolder, title: TitleLayout) throws {
        let staging = TitleLayout(root: folder.chunkStaging(result.index), format: title.format)
        for rung in plan.video?.rungs ?? [] {
            let target = title.rungFolder(rung.name)
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            for segment in result.firstSegment..<(result.firstSegment + result.segments) {
                let name = title.segmentName(segment)
                let from = staging.rungFolder(rung.name).appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: from.path) {
                    try FileTransfer.rename(from, to: target.appendingPathComponent(name))
                } else if !FileManager.default.fileExists(atPath: target.appendingPathComponent(name).path) {
                    throw PackagingError(file: from.path, cause: .failed("segment missing"))
                }
            }
            if title.format == .fmp4 {
                try FileTransfer.placeOnce(staging.rungFolder(rung.name).appendingPathComponent(TitleLayout.initSegmentName),
                                           at: target.appendingPathComponent(TitleLayout.initSegmentName))
            }
        }
    }
}

/// What packaging one chunk made.
public struct ChunkResult: Codable, Sendable, Equatable {
    public var index: Int
    /// Its frames on the title's clock: `startFrame..<endFrame`.
    public var startFrame: Int
    public var endFrame: Int
    public var firstSegment: Int
    /// Segments written, from `firstSegment`.
    public var segments: Int
    /// How good its poster candidate (`poster.jpg` in its staging folder) is; nil without one.
    public var posterScore: Double?

    public init(contentsOf url: URL) throws {
        self = try JSONDecoder().decode(ChunkResult.self, from: Data(contentsOf: url))
    }

    init(index: Int, startFrame: Int, endFrame: Int, firstSegment: Int, segments: Int, posterScore: Double?) {
        self.index = index
        self.startFrame = startFrame
        self.endFrame = endFrame
        self.firstSegment = firstSegment
        self.segments = segments
        self.posterScore = posterScore
    }

    func write(to url: URL) throws { try JSONEncoder().encode(self).write(to: url, options: .atomic) }
}
