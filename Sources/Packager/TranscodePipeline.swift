import Foundation
import LibAV
import VaultLayout

/// Packages one source into an HLS title in a folder, in one process and in one piece:
/// the plan, the whole video as one chunk, the tracks, the finish — the same steps the
/// daemon spreads over tasks, with no second code path. Runs on the calling thread;
/// libav's codecs run their own worker threads.
public final class TranscodePipeline {
    public let source: MediaSource
    public let preset: Preset
    public let sidecars: [Sidecar]

    public init(source: MediaSource, preset: Preset, sidecars: [Sidecar] = []) {
        self.source = source
        self.preset = preset
        self.sidecars = sidecars
    }

    /// Writes the title into a hidden staging folder beside `destination` and renames it
    /// into place when complete (see `StagedOutput`); on any failure the staging folder is
    /// removed and `destination` never appears. The result names `destination`.
    public func publish(
        to destination: URL, progress: (TranscodeProgress) -> Void = { _ in }, isCancelled: () -> Bool = { false }
    ) throws -> TranscodeResult {
        let staged = try StagedOutput(destination: destination)
        do {
            var result = try run(into: staged.staging, scratchBeside: staged.destination, progress: progress, isCancelled: isCancelled)
            try staged.commit()
            result.output = staged.destination.path
            return result
        } catch {
            staged.discard()
            throw error
        }
    }

    /// Writes the title into `folder` (which must exist and be empty).
    /// - Parameters:
    ///   - scratchBeside: where the scratch folder goes, `.<name>.work-<pid>` beside it (one
    ///     file system with `folder`: finished segments move by rename); `folder` by default.
    ///     Those of killed runs are removed.
    ///   - progress: called a few times a second on this thread.
    ///   - isCancelled: polled between packets; when it answers true the run throws `.cancelled`.
    public func run(
        into folder: URL, scratchBeside: URL? = nil, progress: (TranscodeProgress) -> Void = { _ in },
        isCancelled: () -> Bool = { false }
    ) throws -> TranscodeResult {
        guard preset.encryption == .none else {
            throw PackagingError(file: source.path, cause: .failed(
                "preset \(preset.name) encrypts, which only the daemon does: it keeps each title's key in its catalog"))
        }
        let beside = scratchBeside ?? folder
        let prefix = ".\(beside.lastPathComponent).work-"
        StagedOutput.removeStale(prefix: prefix, in: beside.deletingLastPathComponent())
        let scratch = PackagingFolder(root: beside.deletingLastPathComponent().appendingPathComponent(prefix + "\(getpid())", isDirectory: true))
        defer { try? FileManager.default.removeItem(at: scratch.root) }
        do {
            try? FileManager.default.removeItem(at: scratch.root)
            try FileManager.default.createDirectory(at: scratch.root, withIntermediateDirectories: true)
            return try transcode(into: TitleLayout(root: folder, format: preset.segmentFormat), scratch: scratch,
                                 progress: progress, isCancelled: isCancelled)
        } catch let error as LibAVError {
            throw PackagingError(file: source.path, cause: .failed(error.description))
        } catch let error as PackagingError where error.file != source.path && !sidecars.contains(where: { $0.path == error.file }) {
            throw PackagingError(file: source.path, cause: .failed("cannot write the output: \(error)"))
        }
    }

    private func transcode(into title: TitleLayout, scratch: PackagingFolder, progress: (TranscodeProgress) -> Void,
                           isCancelled: () -> Bool) throws -> TranscodeResult {
        let clock = ContinuousClock.now
        func elapsed() -> Double {
            let duration = ContinuousClock.now - clock
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        let plan = try TitlePlan(path: source.path, preset: preset, sidecars: sidecars, chunking: .whole)
        let total = plan.expectedDuration
        func report(_ seconds: Double) {
            progress(TranscodeProgress(processedSeconds: seconds, totalSeconds: total, elapsedSeconds: elapsed()))
        }
        for chunk in plan.chunks {
            let result = try ChunkPackager(plan: plan, chunk: chunk, folder: scratch).run(progress: report, isCancelled: isCancelled)
            try ChunkPackager.moveSegments(of: result, plan: plan, folder: scratch, title: title)
        }
        if plan.hasTracks {
            _ = try TrackPackager(plan: plan, sidecars: sidecars, folder: scratch, title: title)
                .run(progress: { plan.video == nil ? report($0) : () }, isCancelled: isCancelled)
        }
        let result = try TitleFinisher(plan: plan, folder: scratch, title: title, type: .vod).run(elapsed: elapsed())
        report(result.duration)
        return result
    }
}
