import LibAV
import VaultLayout

/// Where each segment of a title begins, the same in every rendition. It is fixed at
/// planning, before anything is encoded, so pieces of the title packaged apart (chunks on
/// several workers, the audio on another) join into one timeline (SPEC §5, §10).
///
/// Times are on the title's clock: 0 is the first frame (or, without video, the first
/// audio sample). Segments are numbered from 0 here; their files from 1 (`TitleLayout`).
public struct SegmentTimeline: Codable, Sendable, Equatable {
    /// Target segment length, seconds.
    public var segmentDuration: Double
    /// The constant output frame rate; nil for an audio-only title.
    public var frameRate: Rational?
    /// Seconds between forced keyframes.
    public var keyframeInterval: Double
    /// How long the title is expected to be, seconds (what the source says of itself).
    public var expectedDuration: Double

    public init(segmentDuration: Double, frameRate: Rational?, keyframeInterval: Double, expectedDuration: Double) {
        self.segmentDuration = segmentDuration
        self.frameRate = frameRate
        self.keyframeInterval = keyframeInterval
        self.expectedDuration = expectedDuration
    }

    /// The video tracks' timescale (ticks a second) in the segment files: the frame rate's
    /// numerator, doubled until it is at least 10 000 (libavformat's own choice for a
    /// stream timed in frames), so every frame lasts a whole number of ticks. The muxer is
    /// told it, and the DASH timeline counts in it. Nil without video.
    public var videoTimescale: Int? {
        guard var ticks = frameRate?.numerator else { return nil }
        while ticks < 10_000 { ticks *= 2 }
        return ticks
    }

    var grid: KeyframeGrid? { frameRate.map { KeyframeGrid(interval: keyframeInterval, frameRate: $0) } }

    /// A player starts a title still being packaged (a live EVENT playlist) only once it
    /// lists three segments: RFC 8216 §6.3.3 (start no later than three target durations
    /// from the end), and Chromium's native HLS refuses to play fewer (measured: one or two
    /// segments fail to parse, three play, whatever the target duration).
    public static let segmentsToStart = 3

    /// The title opens with up to `segmentsToStart` short segments, one keyframe interval
    /// each, that split what would be its first segment: three segments exist after one
    /// segment duration of video, so the title is playable that much sooner. From the end
    /// of the first full segment on, the grid is the usual one.
    public var leadingSegments: Int {
        guard frameRate != nil else { return 0 }
        return max(1, min(Self.segmentsToStart, Int((segmentDuration / keyframeInterval).rounded(.down))))
    }

    /// The first frame of segment `n`: a leading segment starts at its keyframe; after them,
    /// at the first grid keyframe at or after `n - leadingSegments + 1` segment durations
    /// (a segment is cut at the first keyframe once it is long enough).
    public func startFrame(_ n: Int) -> Int {
        guard n > 0, let frameRate, let grid else { return 0 }
        let seconds = n < leadingSegments ? Double(n) * keyframeInterval : Double(n - leadingSegments + 1) * segmentDuration
        var frame = Int((seconds * frameRate.doubleValue - 1e-6).rounded(.up))
        while !grid.isKeyframe(frame) { frame += 1 }
        return frame
    }

    /// Where segment `n` begins, seconds.
    public func startSeconds(_ n: Int) -> Double {
        guard let frameRate else { return Double(n) * segmentDuration }
        return Double(startFrame(n)) * Double(frameRate.denominator) / Double(frameRate.numerator)
    }

    /// The segment holding frame `index`.
    public func segment(atFrame index: Int) -> Int {
        guard let frameRate, index > 0 else { return 0 }
        var n = max(0, Int(Double(index) / frameRate.doubleValue / segmentDuration) - 1)
        while startFrame(n + 1) <= index { n += 1 }
        return n
    }

    /// Segments the expected duration makes (the last one may turn out longer or shorter).
    public var plannedCount: Int {
        var count = 1
        let frame = frameRate.map { 1 / $0.doubleValue } ?? 0
        while startSeconds(count) < expectedDuration - frame / 2 { count += 1 }
        return count
    }

    /// EXTINF of video segment `n` of a title of `totalFrames`.
    public func videoDuration(_ n: Int, totalFrames: Int) -> Double {
        guard let frameRate else { return 0 }
        let frames = min(startFrame(n + 1), totalFrames) - startFrame(n)
        return Double(frames) * Double(frameRate.denominator) / Double(frameRate.numerator)
    }

    /// The longest segment there can be, rounded as `EXT-X-TARGETDURATION` is.
    public var targetDuration: Int {
        let longest = (0..<min(plannedCount, 200)).map { startSeconds($0 + 1) - startSeconds($0) }.max() ?? segmentDuration
        return Int(longest.rounded())
    }
}

/// How audio renditions are cut: AAC frames of `frameSize` samples, the first of them the
/// encoder's priming, each segment starting with the first frame that begins at or after
/// the video segment's start. Every audio rendition of a title shares it.
public struct AudioSegmentation: Codable, Sendable, Equatable {
    public var sampleRate: Int
    public var frameSize: Int
    /// Priming samples before the first real one (they sit before the title's 0).
    public var priming: Int

    public init(sampleRate: Int, frameSize: Int, priming: Int) {
        self.sampleRate = sampleRate
        self.frameSize = frameSize
        self.priming = priming
    }

    /// The title-clock sample where audio segment `n` begins (its first packet's start).
    public func start(_ n: Int, on timeline: SegmentTimeline) -> Int64 {
        guard n > 0 else { return Int64(-priming) }
        let samples: Int64
        if let rate = timeline.frameRate {
            let numerator = Int64(timeline.startFrame(n)) * Int64(rate.denominator) * Int64(sampleRate)
            samples = (numerator + Int64(rate.numerator) - 1) / Int64(rate.numerator)
        } else {
            samples = Int64((Double(n) * timeline.segmentDuration * Double(sampleRate)).rounded(.up))
        }
        let packets = (samples + Int64(priming) + Int64(frameSize) - 1) / Int64(frameSize)
        return packets * Int64(frameSize) - Int64(priming)
    }

    /// The segment a packet starting at title-clock sample `sample` belongs to.
    public func segment(atSample sample: Int64, on timeline: SegmentTimeline) -> Int {
        var n = max(0, Int(Double(sample) / Double(sampleRate) / timeline.segmentDuration) - 1)
        while start(n + 1, on: timeline) <= sample { n += 1 }
        return n
    }
}

/// A run of whole segments packaged as one task: every rung of the video for its frames.
public struct ChunkPlan: Codable, Sendable, Equatable {
    public var index: Int
    /// Its first segment (0-based).
    public var firstSegment: Int
    /// Segments in it; nil for the last chunk, which runs to the end of the source.
    public var segmentCount: Int?

    /// Its frames on the title's clock; the last chunk has no end.
    public func frames(on timeline: SegmentTimeline) -> (start: Int, end: Int?) {
        (timeline.startFrame(firstSegment), segmentCount.map { timeline.startFrame(firstSegment + $0) })
    }

    /// Its time range in seconds (the last one ends at the expected duration).
    public func seconds(on timeline: SegmentTimeline) -> (start: Double, end: Double) {
        (timeline.startSeconds(firstSegment),
         segmentCount.map { timeline.startSeconds(firstSegment + $0) } ?? max(timeline.expectedDuration, timeline.startSeconds(firstSegment)))
    }

    /// Segments per chunk, in order: the first chunk the segments a player needs to start
    /// (`SegmentTimeline.segmentsToStart`, short ones), so the title is playable as soon as
    /// it is done; the second two; then a share of what remains — remaining ÷ (2 × workers),
    /// between `minimumSegments` and `maximumSegments` (guided scheduling: long enough that
    /// starting a chunk — a process, a seek, the encoders' look-ahead and drain, a few
    /// tenths of a second — costs little; shorter towards the end, so the workers finish together
    /// instead of one waiting on a long last chunk). One worker alone on the vault has no one
    /// to finish with: the rest goes in chunks of the maximum. Measured on a 60 s 1080p
    /// title: one worker, 3 chunks instead of 6, ready 3.3 s (5 %) sooner; two workers on a
    /// core each, a third of what remains instead of a quarter left a 12 s last chunk (24 s
    /// on one core) and took 0.59 × one daemon's time instead of 0.52 ×.
    public static let leadingSegments = [SegmentTimeline.segmentsToStart, 2]
    public static let minimumSegments = 2
    public static let maximumSegments = 10

    /// Splits `segments` planned segments into chunks for `workers` video workers (every
    /// daemon's on the vault).
    public static func split(segments: Int, workers: Int) -> [ChunkPlan] {
        var chunks: [ChunkPlan] = [], next = 0
        let shares = workers <= 1 ? 1 : 2 * workers
        while true {
            let remaining = segments - next
            let size = chunks.count < leadingSegments.count ? leadingSegments[chunks.count]
                : max(minimumSegments, min(maximumSegments, (remaining + shares - 1) / shares))
            if remaining <= size {
                chunks.append(ChunkPlan(index: chunks.count, firstSegment: next, segmentCount: nil))
                return chunks
            }
            chunks.append(ChunkPlan(index: chunks.count, firstSegment: next, segmentCount: size))
            next += size
        }
    }
}
