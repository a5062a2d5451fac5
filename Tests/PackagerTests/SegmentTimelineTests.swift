import LibAV
@testable import Packager
import Testing

/// Where segments and chunks fall, decided before anything is encoded.
@Suite struct SegmentTimelineTests {
    let ntsc = SegmentTimeline(segmentDuration: 6, frameRate: Rational(30000, 1001), keyframeInterval: 2, expectedDuration: 600)

    @Test func segmentsStartOnGridKeyframesAtOrAfterEachMultiple() {
        let grid = KeyframeGrid(interval: 2, frameRate: Rational(30000, 1001))
        #expect(ntsc.leadingSegments == 3)
        for n in 1..<100 {
            let frame = ntsc.startFrame(n)
            #expect(grid.isKeyframe(frame))
            // Three leading segments of one keyframe interval, then the 6 s grid.
            let earliest = n < 3 ? Double(n) * 2 : Double(n - 2) * 6
            #expect(ntsc.startSeconds(n) >= earliest - 1e-9 && ntsc.startSeconds(n) < earliest + 0.1)
            #expect(ntsc.segment(atFrame: frame) == n && ntsc.segment(atFrame: frame - 1) == n - 1)
        }
        #expect(ntsc.targetDuration == 6)
    }

    @Test func integerRatesCutEverySixSecondsAfterThreeShortOnes() {
        let timeline = SegmentTimeline(segmentDuration: 6, frameRate: Rational(30, 1), keyframeInterval: 2, expectedDuration: 90)
        #expect((0..<6).map(timeline.startFrame) == [0, 60, 120, 180, 360, 540])
        #expect(timeline.plannedCount == 17)
        #expect(timeline.videoDuration(16, totalFrames: 2690) == 170.0 / 30)
        #expect(timeline.videoDuration(0, totalFrames: 2690) == 2)
        let fourSeconds = SegmentTimeline(segmentDuration: 4, frameRate: Rational(25, 1), keyframeInterval: 2, expectedDuration: 90)
        #expect(fourSeconds.leadingSegments == 2 && (0..<4).map(fourSeconds.startFrame) == [0, 50, 100, 200])
        let audioOnly = SegmentTimeline(segmentDuration: 6, frameRate: nil, keyframeInterval: 2, expectedDuration: 90)
        #expect(audioOnly.leadingSegments == 0 && audioOnly.startSeconds(2) == 12)
    }

    @Test func audioSegmentsStartWithTheFirstFrameAtOrAfterTheVideoBoundary() {
        let aac = AudioSegmentation(sampleRate: 48000, frameSize: 1024, priming: 1024)
        #expect(aac.start(0, on: ntsc) == -1024)
        for n in 1..<50 {
            let start = aac.start(n, on: ntsc)
            let boundary = ntsc.startSeconds(n) * 48000
            #expect(Double(start) >= boundary - 1e-6 && Double(start) < boundary + 1024)
            #expect((start + 1024) % 1024 == 0)
            #expect(aac.segment(atSample: start, on: ntsc) == n && aac.segment(atSample: start - 1024, on: ntsc) == n - 1)
        }
    }

    @Test(arguments: [1, 2, 3, 4, 8, 15, 40, 1200], [1, 2, 4])
    func chunksCoverEverySegmentOnceShortFirst(segments: Int, workers: Int) {
        let chunks = ChunkPlan.split(segments: segments, workers: workers)
        #expect(chunks.last?.segmentCount == nil && chunks.dropLast().allSatisfy { $0.segmentCount != nil })
        var next = 0
        for chunk in chunks {
            #expect(chunk.firstSegment == next)
            next += chunk.segmentCount ?? (segments - next)
        }
        #expect(next == segments)
        if segments > 5 { #expect(chunks.first?.segmentCount == SegmentTimeline.segmentsToStart) }
        let sizes = chunks.map { $0.segmentCount ?? segments - $0.firstSegment }
        #expect(sizes.allSatisfy { $0 <= ChunkPlan.maximumSegments })
        // Past the leading chunks, sizes never grow: the workers finish together.
        #expect(zip(sizes.dropFirst(2), sizes.dropFirst(3)).allSatisfy { $0 >= $1 }, "\(sizes)")
    }

    /// One worker gets the fewest chunks (each costs a process and the encoders' start and
    /// drain); more workers get more, smaller ones to share.
    @Test func moreWorkersGetMoreChunks() {
        let counts = [1, 2, 4, 8].map { ChunkPlan.split(segments: 12, workers: $0).count }
        #expect(counts == counts.sorted() && counts.first == 3 && counts.last! > 3, "\(counts)")
        #expect(ChunkPlan.split(segments: 1200, workers: 1).dropFirst(2).dropLast().allSatisfy { $0.segmentCount == ChunkPlan.maximumSegments })
    }
}
