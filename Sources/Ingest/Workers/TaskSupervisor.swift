import Catalog
import Foundation
import Logging
import Metrics
import Packager
import VaultLayout

/// Runs one claimed task's worker child process to its end: starts it (off the actor and
/// the cooperative pool), relays what it says (progress and segments to the catalog, ready
/// segments to the publisher, the source's hash to the duplicate check), and hands how it
/// ended to `AttemptFate` and the recorder.
struct TaskSupervisor: Sendable {
    let vault: Vault
    let catalog: any CatalogStore
    let claimed: ClaimedTasks
    let recorder: AttemptRecorder
    let executable: URL
    /// Video workers of this daemon (and the tasks it runs side by side).
    let workers: Int
    let owner: LeaseOwner
    let logger: Logger

    func supervise(_ task: JobTask, light: Bool) async {
        let job: Job
        do {
            guard let found = try await catalog.job(id: task.jobId) else {
                return await release(task, because: "its job is not recorded")
            }
            job = found
        } catch {
            return await release(task, because: "its job cannot be read (\(error))")
        }
        let process: WorkerProcess
        do {
            process = try await start(task, of: job, light: light)
        } catch {
            return await recorder.record(task, of: job, plannedTitle: job.mediaId, fate: .retry("cannot start a worker: \(error)"))
        }
        await claimed.started(task.id, process)
        logger.info("task \(task.id): \(job.source), attempt \(task.attempts) of \(job.maxAttempts), in a \(light ? "light" : "worker") slot")
        let last = await relay(process.messages, of: task, job: job)
        let exit = await process.waitForExit()
        let killedBecause = await claimed.exited(task.id)
        let now: Job?
        do { now = try await catalog.job(id: job.id) } catch { now = nil }  // nil: the catalog cannot say (jobs are never deleted)
        let fate = AttemptFate.decide(kind: task.kind, status: exit.status, signal: exit.signal, last: last,
                                      jobState: now?.state, cancelRequested: now?.cancelRequested ?? false,
                                      stopping: await claimed.stopping, watchdog: killedBecause, source: job.source)
        await recorder.record(task, of: now ?? job, plannedTitle: job.mediaId, fate: fate)
    }

    /// A claimed task whose job cannot be read goes back in the queue (or is cancelled
    /// when there is no such job); if even that fails, its lease expires.
    private func release(_ task: JobTask, because reason: String) async {
        logger.warning("task \(task.id): not run, \(reason)")
        do {
            try await catalog.releaseTask(task.id, owner: owner)
        } catch {
            logger.error("task \(task.id): cannot put it back (\(error)); it runs again once its lease expires")
        }
    }

    private func start(_ task: JobTask, of job: Job, light: Bool) async throws -> WorkerProcess {
        let assignment = WorkerAssignment(task: task, job: job, clusterWorkers: task.kind == .plan ? await clusterWorkers() : 1,
                                          light: light)
        // The tasks that write segments get an encrypted title's key (on their stdin, never in a file).
        let key = [.chunk, .tracks].contains(task.kind) ? try await catalog.titleKey(of: job.mediaId, making: false) : nil
        let (work, executable, root, workers) = (vault.work(job: job.id), executable, vault.root, workers)
        return try await Blocking.run {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            return try WorkerProcess(executable: executable, root: root, assignment: assignment, key: key, concurrentTasks: workers,
                                     log: work.appendingPathComponent("worker-\(task.kind.rawValue)-\(task.number).log"))
        }
    }

    /// Passes on what the worker says until it closes its output; returns its last message
    /// other than progress, segments and hash (the one that says how it ended).
    private func relay(_ messages: AsyncStream<WorkerMessage>, of task: JobTask, job: Job) async -> WorkerMessage? {
        var last: WorkerMessage?
        var lastWrite = ContinuousClock.now - .seconds(1)
        for await message in messages {
            switch message {
            case let .progress(fraction, speed):
                guard ContinuousClock.now - lastWrite >= .milliseconds(500) else { continue }
                lastWrite = .now
                await recordProgress(of: task, progress: fraction, segments: nil, speed: speed)
                if speed > 0 { Gauge(label: "streamvault_transcode_speed").record(speed) }
            case let .segmentsReady(count):
                await recordProgress(of: task, progress: 0, segments: count, speed: 0)
                await recorder.publisher.listReadySegments(of: job)
            case let .digest(digest):
                await recorder.found(digest: digest, of: job)
            default:
                last = message
            }
        }
        return last
    }

    /// Progress is advisory: a write the catalog misses is made good by the next one.
    private func recordProgress(of task: JobTask, progress: Double, segments: Int?, speed: Double) async {
        do {
            try await catalog.recordProgress(of: task.id, owner: owner, progress: progress, segments: segments, speed: speed)
        } catch {
            logger.warning("task \(task.id): progress not recorded: \(error)")
        }
    }

    /// Video workers of the daemons seen on the vault in the last minute, this one included
    /// (its own heartbeat may not be written yet); this daemon's alone when the catalog
    /// cannot say.
    private func clusterWorkers() async -> Int {
        do {
            let others = try await catalog.daemons(seenSince: Date(timeIntervalSinceNow: -60)).filter { $0.owner != owner }
            return workers + others.reduce(0) { $0 + $1.workers }
        } catch {
            logger.warning("cannot see the other daemons (\(error)); the plan is sized for this one")
            return workers
        }
    }
}
