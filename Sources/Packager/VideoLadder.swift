import Foundation
import LibAV

/// The video side of a transcode: decodes the source once, normalises it (deinterlace,
/// constant rate, tone map, rotation, 8-bit 4:2:0), and feeds every rung, largest first,
/// each rung scaling from the one above it; picks the poster and the storyboard tiles. Not thread-safe: owned by the pipeline's thread.
final class VideoLadder {
    let rungs: [RungEncoder]
    let frameRate: Rational
    private let decoder: Decoder
    private let graph: FilterGraph
    private let grid: KeyframeGrid
    private let poster = PosterPicker()
    let storyboard: Storyboard
    private let timeline: Timeline
    private let decoded: Frame
    private let filtered: Frame
    /// Frames between two poster candidates: four per keyframe interval.
    private var posterSpacing: Int { max(1, grid.maximumGap / 4) }
    private var firstPts: Int64?
    /// End of the last decoded picture, in the decoder's time base.
    private var endPts: Int64?
    /// One frame at the source's rate, in the decoder's time base.
    private let frameDuration: Int64
    private(set) var framesOut = 0

    init(source: MediaSource, stream: StreamInfo, plan: LadderPlan, preset: Preset,
         layout: SegmentLayout, timeline: Timeline) throws {
        self.timeline = timeline
        decoder = try Decoder(demuxer: source.demuxer, streamIndex: stream.index)
        let normalizer = VideoNormalizer(stream: stream)
        graph = try FilterGraph(description: normalizer.filterDescription, decoder: decoder, frameRate: stream.frameRate)
        frameRate = normalizer.frameRate
        let sourceRate = stream.frameRate ?? frameRate
        frameDuration = max(1, Int64((Double(decoder.timeBase.denominator) * Double(sourceRate.denominator)
            / (Double(decoder.timeBase.numerator) * Double(sourceRate.numerator))).rounded()))
        grid = KeyframeGrid(interval: preset.keyframeInterval, frameRate: frameRate)
        storyboard = Storyboard(frameRate: frameRate, expectedDuration: source.expectedDuration)
        var inputSize = (width: graph.outputWidth, height: graph.outputHeight)
        var rungs: [RungEncoder] = []
        for rung in plan.rungs {
            rungs.append(try RungEncoder(
                rung: rung, inputWidth: inputSize.width, inputHeight: inputSize.height,
                frameRate: frameRate, timeBase: graph.outputTimeBase, grid: grid, layout: layout,
                segmentDuration: preset.segmentDuration,
                encoderThreads: RungEncoder.threadsPerRung(rungs: plan.rungs.count)))
            inputSize = (rung.width, rung.height)
        }
        self.rungs = rungs
        decoded = try Frame()
        filtered = try Frame()
    }

    func start() throws { for rung in rungs { try rung.start() } }

    /// Seconds of video encoded so far.
    var seconds: Double { Double(framesOut) * Double(frameRate.denominator) / Double(frameRate.numerator) }

    /// Decodes one packet of the video stream and pushes what comes out through the rungs.
    func decode(_ packet: Packet) throws {
        while try !decoder.send(packet) {
            try receiveFrames()
        }
        try receiveFrames()
    }

    /// Drains decoder, filters and encoders and closes every rung's playlist.
    func finish(posterURL: URL) throws -> Bool {
        _ = try decoder.send(nil)
        try receiveFrames()
        try graph.close(at: endPts ?? 0)
        try pullFiltered()
        for rung in rungs { try rung.finish(duration: seconds) }
        return try poster.write(to: posterURL)
    }

    private func receiveFrames() throws {
        while try decoder.receive(into: decoded) == .ready {
            decoded.pts = decoded.bestEffortTimestamp
            if let pts = decoded.pts {
                let duration = decoded.duration > 0 ? decoded.duration : frameDuration
                endPts = max(endPts ?? pts + duration, pts + duration)
            }
            if timeline.start == nil, let pts = decoded.pts { timeline.start = decoder.timeBase.seconds(pts) }
            try graph.push(decoded)
            decoded.unref()
            try pullFiltered()
        }
    }

    private func pullFiltered() throws {
        while try graph.pull(into: filtered) == .ready {
            defer { filtered.unref() }
            let pts = filtered.pts ?? Int64(framesOut)
            if firstPts == nil { firstPts = pts }
            let index = Int(pts - firstPts!)
            guard index >= framesOut else { continue }  // never step back in time
            filtered.pts = Int64(index)
            let keyframe = grid.isKeyframe(index)
            var picture = filtered
            for (position, rung) in rungs.enumerated() {
                picture = try rung.encode(picture, keyframe: keyframe)
                guard position == 0 else { continue }
                if index % posterSpacing == 0 { try poster.consider(picture) }
                try storyboard.consider(picture, index: index)
            }
            framesOut = index + 1
            timeline.videoSeconds = seconds
        }
    }
}
