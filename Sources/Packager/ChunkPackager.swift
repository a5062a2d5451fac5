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
    let video: TitlePlan.VideoPlan
    let folder: PackagingFolder
    /// x264 frame threads of each rung, and the decoder's threads.
    let threads: [Int]
    let decoderThreads: Int
    /// Seals the segments of an encrypted title.
    let cipher: SegmentCipher?

    /// - Parameters:
    ///   - folder: the job's scratch folder; the chunk is written into its staging folder.
    ///   - tasks: how many packaging tasks run side by side on this machine (encoder threads
    ///     are shared between them).
    ///   - key: the title's key, which an encrypting preset needs.
    public init(plan: TitlePlan, chunk: ChunkPlan, folder: PackagingFolder, tasks: Int = 1, key: TitleKey? = nil) throws {
        guard let video = plan.video else { throw PackagingError(file: plan.source, cause: .noUsableStream) }
        cipher = try SegmentCipher(for: plan, key: key)
        self.plan = plan
        self.chunk = chunk
        self.video = video
        self.folder = folder
        threads = RungEncoder.threadsPerRung(video.rungs, tasks: tasks)
        // The decoder runs beside the rungs' threads; its own frame threads would mostly hold
        // more pictures in memory. A task with many cores gives it one per four.
        decoderThreads = max(1, ProcessInfo.processInfo.activeProcessorCount / max(1, tasks) / 4)
    }

    /// Writes the chunk into its staging folder (emptied first) and returns what it made.
    /// - Parameters:
    ///   - progress: seconds of the chunk done, a few times a second.
    ///   - isCancelled: polled between packets; true throws `.cancelled`.
    public func run(progress: (Double) -> Void = { _ in }, isCancelled: () -> Bool = { false }) throws -> ChunkResult {
        let staging = folder.chunkStaging(chunk.index)
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        // 0: as the source needs (`ChunkRun.warmUp`); nil: no seek
        var earlier: Double? = chunk.frames(on: plan.timeline).start > 0 ? 0 : nil
        while true {
            do {
                return try ChunkRun(of: self, seekingEarlier: earlier, into: staging)
                    .run(progress: progress, isCancelled: isCancelled)
            } catch let missed as ChunkRun.MissedStart {
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
