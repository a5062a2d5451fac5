import Catalog
import Foundation
import Packager
import VaultLayout

/// One task's work inside its worker child process (`streamvault worker`): plan the
/// title, package a chunk, the tracks (hashing the source meanwhile), or finish the title.
/// It is given its task and job (`WorkerAssignment`) and needs no catalog; it reports
/// through `emit` and returns the process's exit status; the daemon that started it
/// records the outcome.
public struct TaskWorker: Sendable {
    public let vault: Vault
    public let presets: PresetLibrary
    /// Tasks this machine runs side by side (x264's threads are shared between them).
    public let concurrentTasks: Int

    public init(vault: Vault, presets: PresetLibrary, concurrentTasks: Int) {
        self.vault = vault
        self.presets = presets
        self.concurrentTasks = concurrentTasks
    }

    /// - Parameter key: the title's key, for the tasks of an encrypted title that write segments.
    public func run(_ assignment: WorkerAssignment, key: TitleKey? = nil, emit: @escaping @Sendable (WorkerMessage) -> Void,
                    isCancelled: @escaping @Sendable () -> Bool) async -> Int32 {
        let (task, job) = (assignment.task, assignment.job)
        // Errors name the file as it was dropped, not its place in the job's folder.
        let input = vault.input(job: job.id).path + "/"
        let emit: @Sendable (WorkerMessage) -> Void = { message in
            if case let .failed(text) = message { emit(.failed(text.replacingOccurrences(of: input, with: ""))) } else { emit(message) }
        }
        do {
            let folder = PackagingFolder(root: vault.work(job: job.id))
            switch task.kind {
            case .plan: try await plan(job, workers: assignment.clusterWorkers, folder: folder, emit: emit)
            case .chunk: try await chunk(task.number, of: job, key: key, folder: folder, emit: emit, isCancelled: isCancelled)
            case .tracks: try await tracks(of: job, key: key, mayWait: assignment.light, folder: folder, emit: emit, isCancelled: isCancelled)
            case .finish: try await finish(job, folder: folder, emit: emit)
            }
            return WorkerExit.success
        } catch let error as PackagingError {
            switch error.cause {
            case .cancelled:
                emit(.failed("stopped before the end"))
                return WorkerExit.interrupted
            case .failed, .outputExists, .unreadable:
                emit(.failed(error.description))
                return WorkerExit.temporaryFailure
            default:
                emit(.failed(error.description))
                return WorkerExit.permanentFailure
            }
        } catch {
            emit(.failed(ErrorWords.describe(error)))
            return WorkerExit.temporaryFailure
        }
    }

    private func input(of job: Job) throws -> JobInput {
        try JobInput(folder: vault.input(job: job.id), explicit: job.sidecars)
    }

    private func plan(_ job: Job, workers: Int, folder: PackagingFolder, emit: @escaping @Sendable (WorkerMessage) -> Void) async throws {
        let preset = try presets.load(job.preset)
        let input = try input(of: job)
        try await Blocking.run {
            var plan = try TitlePlan(path: input.media.path, preset: preset, sidecars: input.sidecars,
                                     chunking: .progressive(workers: workers))
            plan.warnings = input.warnings.map(\.description) + plan.warnings
            try plan.write(to: folder.plan)
        }
        emit(.planned)
    }

    private func chunk(_ index: Int, of job: Job, key: TitleKey?, folder: PackagingFolder, emit: @escaping @Sendable (WorkerMessage) -> Void,
                       isCancelled: @escaping @Sendable () -> Bool) async throws {
        let tasks = concurrentTasks
        let result = try await Blocking.run {
            let plan = try TitlePlan(contentsOf: folder.plan)
            guard let chunk = plan.chunks.first(where: { $0.index == index }) else {
                throw PackagingError(file: plan.source, cause: .failed("the plan has no chunk \(index)"))
            }
            let (start, end) = chunk.seconds(on: plan.timeline)
            let clock = ContinuousClock.now
            let result = try ChunkPackager(plan: plan, chunk: chunk, folder: folder, tasks: tasks, key: key).run(
                progress: { seconds in
                    let elapsed = (ContinuousClock.now - clock).seconds
                    emit(.progress(fraction: seconds / max(0.001, end - start), speed: elapsed > 0 ? seconds / elapsed : 0))
                },
                isCancelled: isCancelled)
            try ChunkPackager.moveSegments(of: result, plan: plan, folder: folder,
                                           title: TitleLayout(root: vault.media(job.mediaId), format: plan.preset.segmentFormat))
            return result
        }
        emit(.chunkDone(result))
    }

    /// The tracks, while another thread hashes the source for deduplication. Once the tracks
    /// have the segments a player needs to start, they give way to the first chunk until the
    /// title is playable — waiting (at most `pause` from their start) if `mayWait`, else and
    /// then at nice 19 — then run beside the chunks at nice 10; the hash starts when the
    /// title is playable (nice 19), or when the tracks are done. On a long source both are
    /// many seconds of CPU, which would otherwise slow the first chunk.
    private func tracks(of job: Job, key: TitleKey?, mayWait: Bool, folder: PackagingFolder, emit: @escaping @Sendable (WorkerMessage) -> Void,
                        isCancelled: @escaping @Sendable () -> Bool) async throws {
        let input = try input(of: job)
        let hash = BackgroundHash(file: input.media.path, emit: emit)
        let master = vault.media(job.mediaId).appendingPathComponent(TitleLayout.masterPlaylistName).path
        let (segments, warnings) = try await Blocking.run {
            let plan = try TitlePlan(contentsOf: folder.plan)
            guard plan.hasTracks else { return (plan.timeline.plannedCount, input.warnings) }
            let clock = ContinuousClock.now
            // The daemon hears at once when the title can start, then twice a second at most:
            // audio runs ~100× real time, and a long title's hundreds of segments would
            // otherwise be as many catalog writes while its first chunk encodes.
            var lastReport = clock, announced = false, isPlayable = false, done = 0.0
            let manifest = try TrackPackager(plan: plan, sidecars: input.sidecars, folder: folder,
                                             title: TitleLayout(root: vault.media(job.mediaId), format: plan.preset.segmentFormat), key: key)
                .run(segmentsReady: { count in
                         let now = ContinuousClock.now
                         guard count >= SegmentTimeline.segmentsToStart else { return }
                         if !announced || now - lastReport >= .milliseconds(500) {
                             announced = true
                             lastReport = now
                             emit(.segmentsReady(count))
                         }
                         if !isPlayable {
                             isPlayable = Self.waitForMaster(master, firstChunk: folder.chunkStaging(0).path,
                                                             until: clock + (mayWait ? Self.pause : .zero),
                                                             isCancelled: isCancelled) {
                                 emit(.progress(fraction: done / max(0.001, plan.expectedDuration), speed: 0))
                             }
                             // This thread only, on Linux.
                             setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, isPlayable ? 10 : 19)
                             if isPlayable { hash.start() }
                         }
                     },
                     progress: { seconds in
                         done = seconds
                         let elapsed = (ContinuousClock.now - clock).seconds
                         emit(.progress(fraction: seconds / max(0.001, plan.expectedDuration), speed: elapsed > 0 ? seconds / elapsed : 0))
                     },
                     isCancelled: isCancelled)
            return (manifest.audioSegments ?? manifest.subtitleSegments, input.warnings + manifest.warnings)
        }
        hash.start()
        try await hash.result()
        emit(.tracksDone(segments: segments, warnings: warnings))
    }

    /// Whether the title's master playlist exists, waited for (polled every 20 ms) while the
    /// first chunk runs (its staging folder `firstChunk` exists), until `deadline`: the
    /// tracks, which have their first segments, then stay out of its way entirely — never
    /// for a first chunk still queued. `heartbeat` runs every second meanwhile (the worker
    /// is waiting, not stalled).
    private static func waitForMaster(_ master: String, firstChunk: String, until deadline: ContinuousClock.Instant,
                                      isCancelled: () -> Bool, heartbeat: () -> Void) -> Bool {
        var beat = ContinuousClock.now
        while access(master, F_OK) != 0 {
            guard ContinuousClock.now < deadline, access(firstChunk, F_OK) == 0, !isCancelled() else { return false }
            if ContinuousClock.now - beat >= .seconds(1) {
                beat = .now
                heartbeat()
            }
            usleep(20_000)
        }
        return true
    }

    /// How long after it starts a tracks task in a light slot may wait for the title to be
    /// playable.
    static let pause = Duration.seconds(30)

    private func finish(_ job: Job, folder: PackagingFolder, emit: @escaping @Sendable (WorkerMessage) -> Void) async throws {
        let elapsed = Date().timeIntervalSince(job.startedAt ?? job.createdAt)
        var result = try await Blocking.run {
            let plan = try TitlePlan(contentsOf: folder.plan)
            return try TitleFinisher(plan: plan, folder: folder,
                                     title: TitleLayout(root: vault.media(job.mediaId), format: plan.preset.segmentFormat),
                                     type: .event).run(elapsed: elapsed)
        }
        result.output = vault.media(job.mediaId).path
        emit(.finished(result))
    }
}

/// The SHA-256 of a file, computed once on a low-priority thread of its own (nice 19),
/// reported with `.digest` when done.
final class BackgroundHash: @unchecked Sendable {
    private let file: String
    private let emit: @Sendable (WorkerMessage) -> Void
    private let lock = NSLock()
    private var started = false
    private var outcome: Result<Void, Error>?
    private var waiter: CheckedContinuation<Void, Error>?

    init(file: String, emit: @escaping @Sendable (WorkerMessage) -> Void) {
        self.file = file
        self.emit = emit
    }

    /// Starts hashing, unless it has started already.
    func start() {
        guard lock.withLock({ () -> Bool in
            defer { started = true }
            return !started
        }) else { return }
        Thread { [self] in
            setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)  // this thread only, on Linux
            let outcome = Result { emit(.digest(try ContentDigest.sha256(ofFileAt: file))) }
            let waiter = lock.withLock { () -> CheckedContinuation<Void, Error>? in
                self.outcome = outcome
                return self.waiter
            }
            waiter?.resume(with: outcome)
        }.start()
    }

    /// Waits for the hash (started before).
    func result() async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let done = lock.withLock { () -> Result<Void, Error>? in
                if outcome == nil { waiter = continuation }
                return outcome
            }
            if let done { continuation.resume(with: done) }
        }
    }
}
