import Catalog
import Foundation
import Logging
import Metrics
import Packager
import VaultLayout

/// Records what became of a task's attempt (`AttemptFate`) in the catalog and on disk: a
/// done task's outcome (its plan's tasks, a chunk's segments listed, the title published),
/// a retry with backoff, a task put back or cancelled, a job failed for good or ended by
/// its cancel. Each step is logged; one that cannot be recorded leaves the task's lease to
/// expire, so another daemon runs it again.
struct AttemptRecorder: Sendable {
    let vault: Vault
    let catalog: any CatalogStore
    let publisher: Publisher
    let claimed: ClaimedTasks
    let owner: LeaseOwner
    /// The first retry's wait; each later one waits twice as long (at most 10 min).
    let retryDelay: Duration
    let logger: Logger

    func record(_ task: JobTask, of job: Job, plannedTitle: String, fate: AttemptFate) async {
        do {
            try await apply(fate, to: task, of: job, plannedTitle: plannedTitle)
        } catch {
            logger.error("task \(task.id): cannot record its outcome (\(fate)): \(error)")
        }
        await endIfCancelled(job)
    }

    private func apply(_ fate: AttemptFate, to task: JobTask, of job: Job, plannedTitle: String) async throws {
        let stopping = await claimed.stopping
        switch fate {
        case let .done(message):
            try await done(task, of: job, message: message)
        case .unrecorded:
            logger.error("task \(task.id): its outcome cannot be recorded (the catalog cannot be read); it runs again once its lease expires")
        case .jobEnded:
            try await catalog.releaseTask(task.id, owner: owner)  // cancelled: its job has ended
            await publisher.cleanUp(after: job, plannedTitle: plannedTitle)
        case .cancelled:
            try await catalog.releaseTask(task.id, owner: owner)  // the job ends once no task of it runs
        case .requeued:
            try await catalog.releaseTask(task.id, owner: owner)
            logger.notice("task \(task.id): stopped with the daemon, queued again")
        case let .retry(failure) where task.attempts < job.maxAttempts && !stopping:
            let delay = min(600, retryDelay.seconds * pow(2, Double(task.attempts - 1)))
            try await catalog.retryTask(task.id, owner: owner, error: failure, notBefore: Date().addingTimeInterval(delay))
            logger.warning("task \(task.id): \(failure); retry in \(Int(delay)) s")
        case .retry where stopping:
            try await catalog.releaseTask(task.id, owner: owner)
        case let .retry(failure), let .fail(failure):
            try await publisher.fail(job, error: failure)
            try await catalog.releaseTask(task.id, owner: owner)  // cancelled, before its siblings end and clean up
            await claimed.terminate(job: job.id)
            logger.error("job \(job.id) failed: \(failure)")
        }
    }

    /// A job whose cancel was asked ends once none of its tasks runs any more (its last
    /// task may have finished normally meanwhile): title withdrawn, file to `failed/`.
    func endIfCancelled(_ job: Job) async {
        do {
            guard let current = try await catalog.job(id: job.id), current.cancelRequested, !current.state.isFinal,
                  let ended = try await catalog.cancelJob(id: job.id), ended.state == .cancelled else { return }
            try await publisher.fail(job, state: .cancelled, error: "cancelled")
            logger.notice("job \(job.id): \(job.source) cancelled")
        } catch {
            logger.error("job \(job.id): cannot end its cancel: \(error)")
        }
    }

    /// The tracks task hashed the source: a content already published (or being
    /// published first) makes this job a duplicate, its processing title withdrawn.
    func found(digest: String, of job: Job) async {
        do {
            try await catalog.setDigest(jobID: job.id, digest: digest)
            guard let existing = try await catalog.mediaID(digest: digest, before: job.mediaId) else { return }
            try await publisher.duplicate(job, of: existing)
            await claimed.terminate(job: job.id)
            logger.notice("job \(job.id): \(job.source) is a duplicate of \(existing)")
        } catch {
            logger.error("job \(job.id): cannot check for duplicates: \(error)")
        }
    }

    private func done(_ task: JobTask, of job: Job, message: WorkerMessage) async throws {
        switch message {
        case .planned:
            try await planned(task, of: job)
        case let .chunkDone(result):
            try await catalog.completeTask(task.id, owner: owner, segments: result.firstSegment + result.segments)
            let rungs = try await plan(of: job).video?.rungs.count ?? 0
            Counter(label: "streamvault_frames_encoded_total").increment(by: (result.endFrame - result.startFrame) * rungs)
            await publisher.listReadySegments(of: job)
        case let .tracksDone(segments, warnings):
            try await catalog.setWarnings(jobID: job.id, warnings: warnings)  // a retry's replace an earlier attempt's
            try await catalog.completeTask(task.id, owner: owner, segments: segments)
            await publisher.listReadySegments(of: job)
        case let .finished(result):
            // Published only by the daemon that holds the finish (the job ends with it).
            guard try await catalog.tasks(jobID: job.id).contains(where: { $0.id == task.id && $0.isHeld(by: owner) }) else { return }
            let outcome = try await publisher.publish(job, result: result)
            try await catalog.completeTask(task.id, owner: owner, segments: 0)
            Gauge(label: "streamvault_transcode_speed").record(result.speed)
            logger.notice("job \(job.id): \(job.source) → \(outcome)")
        default:
            break
        }
    }

    /// The plan is in the job's folder: its chunks, tracks and finish become tasks.
    private func planned(_ task: JobTask, of job: Job) async throws {
        let plan = try await plan(of: job)
        var tasks = plan.chunks.map { chunk in
            let (start, end) = chunk.seconds(on: plan.timeline)
            return JobTask(jobId: job.id, kind: .chunk, number: chunk.index, start: start, end: end)
        }
        tasks.append(JobTask(jobId: job.id, kind: .tracks))
        tasks.append(JobTask(jobId: job.id, kind: .finish, state: .waiting))
        // Made before any task that encrypts can be claimed, by any daemon of the vault.
        if plan.preset.encryption == .aes128 { _ = try await catalog.titleKey(of: job.mediaId, making: true) }
        try await catalog.planned(jobID: job.id, tasks: tasks)
        try await catalog.completeTask(task.id, owner: owner, segments: 0)
        logger.info("job \(job.id): \(plan.chunks.count) chunk(s) of \(plan.timeline.plannedCount) segment(s)")
        if plan.preset.rungs.contains(where: \.isHDR) {  // what of the source's HDR its HDR rungs keep
            for note in plan.video?.dynamicRange ?? [] { logger.notice("job \(job.id): \(job.source): \(note)") }
        }
    }

    private func plan(of job: Job) async throws -> TitlePlan {
        let file = PackagingFolder(root: vault.work(job: job.id)).plan
        return try await Blocking.run { try TitlePlan(contentsOf: file) }
    }
}
