import Catalog
import Foundation
import Logging
import Metrics
import Packager
import ServiceLifecycle

/// Runs queued tasks — plans, chunks, tracks, finishes of any job — each in a worker child
/// process: at most `workers` at a time, and as many light ones (plan, tracks, finish:
/// probing, audio, playlists) in light slots beside them, so audio never waits for a video
/// chunk and a busy daemon still plans new titles at once. Tasks run under this daemon's
/// lease (renewed by a heartbeat). A child that crashes or is killed fails only its task's
/// attempt: the task is retried with backoff up to the job's `maxAttempts`. On graceful
/// shutdown no new task is claimed, running children are stopped and their tasks requeued.
/// A daemon that cannot renew a lease in time (its catalog is gone, or another daemon took
/// the task over) stops that task's child, so no task ever runs twice at once.
public actor WorkerPool: Service {
    static let heartbeat = Duration.seconds(2)
    /// How long an idle pool waits for a notification of work before it looks anyway.
    static let poll = Duration.seconds(1)

    let vault: Vault
    let catalog: any CatalogStore
    let publisher: Publisher
    let executable: URL
    let workers: Int
    /// The first retry's wait; each later one waits twice as long (at most 10 min).
    let retryDelay: Duration
    /// This daemon's name (`serve --node`), shown on the tasks it runs.
    let node: String
    /// This daemon's name on its leases: host, pid and a random part.
    let owner: String
    /// How long a claim holds without a heartbeat (another daemon takes the task over then).
    let lease: Duration
    /// Where this daemon's HTTP server listens, shown in `GET /api/nodes`.
    let http: String
    /// The watchdog's limits: a worker silent this long, or this large, is killed.
    let limits: WorkerLimits
    let logger: Logger
    private var running: [String: (task: JobTask, process: WorkerProcess)] = [:]
    /// When each running task's worker last said something.
    private var lastHeard: [String: ContinuousClock.Instant] = [:]
    /// When the leases were last renewed.
    private var renewed = ContinuousClock.now
    /// Tasks claimed and not yet recorded, each with whether it took a light slot (a slot
    /// is taken from the claim on). Their leases are the ones this daemon renews: a task
    /// whose outcome could not be recorded leaves, so its lease expires and it is taken over.
    private var claimed: [String: Bool] = [:]
    private var stopping = false
    /// Rung when a slot frees up, so the next task is claimed at once.
    private let slotFreed = Doorbell()

    public init(vault: Vault, catalog: any CatalogStore, executable: URL, workers: Int, node: String, http: String,
                lease: Duration = .seconds(30), retryDelay: Duration = .seconds(10), limits: WorkerLimits = WorkerLimits(),
                logger: Logger) {
        self.vault = vault
        self.catalog = catalog
        publisher = Publisher(vault: vault, catalog: catalog, logger: logger)
        self.executable = executable
        self.workers = max(1, workers)
        self.node = node
        self.retryDelay = retryDelay
        self.lease = lease
        self.http = http
        self.limits = limits
        owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(CatalogID.make().prefix(6))"
        self.logger = logger
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await self.keepLeases() }
                while !stopping {
                    if Task.isCancelled {
                        stop()
                        break
                    }
                    if let (task, light) = await claimForAFreeSlot() {
                        claimed[task.id] = light
                        group.addTask {
                            await self.supervise(task, light: light)
                            await self.release(task)
                        }
                    } else {
                        await idle()
                    }
                }
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            Task { await self.stop() }
        }
    }

    /// No new claims; running children get SIGTERM (their tasks go back to the queue).
    private func stop() {
        stopping = true
        for entry in running.values { entry.process.terminate() }
    }

    private func release(_ task: JobTask) {
        claimed[task.id] = nil
        slotFreed.ring()
    }

    /// Waits until work may have been queued or a slot has freed up, at most `poll`.
    private nonisolated func idle() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.catalog.waitForWork(timeout: Self.poll) }
            group.addTask { await self.slotFreed.wait(timeout: Self.poll) }
            await group.next()
            group.cancelAll()
        }
    }

    /// The next task for a free slot, and whether it takes a light slot: light work goes to
    /// a light slot while one is free; a worker slot takes a chunk first, and light work only
    /// when no chunk waits (a tracks task in a worker slot would hold up the first chunk).
    private func claimForAFreeSlot() async -> (JobTask, light: Bool)? {
        let light = claimed.values.filter { $0 }.count
        switch (claimed.count - light < workers, light < workers) {
        case (true, true):
            guard let task = await claim(nil) else { return nil }
            return (task, JobTask.Kind.light.contains(task.kind))
        case (true, false):
            if let chunk = await claim([.chunk]) { return (chunk, false) }
            return await claim(JobTask.Kind.light).map { ($0, false) }
        case (false, true):
            return await claim(JobTask.Kind.light).map { ($0, true) }
        case (false, false):
            return nil
        }
    }

    private func claim(_ kinds: Set<JobTask.Kind>?) async -> JobTask? {
        do {
            return try await catalog.claimNextTask(owner: owner, node: node, lease: lease, kinds: kinds)
        } catch {
            logger.error("cannot claim a task: \(error)")
            return nil
        }
    }

    /// Renews this daemon's leases, stops tasks whose job ended or whose cancel was asked,
    /// and puts back in the queue the tasks of daemons that died. Stops every child when
    /// the leases could not be renewed for most of their length (the catalog is lost: other
    /// daemons will take the tasks over), and a child whose task is no longer ours.
    private func keepLeases() async throws {
        var beats = 0
        while !stopping || !running.isEmpty {
            if Task.isCancelled, running.isEmpty { return }
            do {
                // Only tasks running before the renewal can be missing from it for want of a
                // lease: one claimed while it ran (the actor is reentrant) is ours.
                let before = Set(running.keys)
                let held = try await catalog.renewLeases(Set(claimed.keys), owner: owner, lease: lease)
                renewed = ContinuousClock.now
                for id in before.subtracting(held) {
                    guard let entry = running[id] else { continue }
                    logger.warning("task \(id): no longer ours (its lease was taken over); stopping it")
                    entry.process.terminate()
                }
                try await catalog.heartbeat(DaemonStatus(node: node, http: http, workers: workers, running: running.count, owner: owner))
                for id in try await catalog.tasksToStop(owner: owner) { running[id]?.process.terminate() }
                if beats % 5 == 0 {
                    try await VaultRecovery(vault: vault, catalog: catalog, logger: logger).takeOverAbandonedTasks()
                    // A cancel asked while no task of the job ran on this daemon.
                    for job in try await catalog.jobs(state: .running) where job.cancelRequested { await endIfCancelled(job) }
                }
            } catch {
                logger.error("catalog unavailable for the heartbeat: \(error)")
                if ContinuousClock.now - renewed > lease * 0.8, !running.isEmpty {
                    logger.error("leases not renewed for \(Int((ContinuousClock.now - renewed).seconds)) s: stopping \(running.count) task(s), other daemons will take them over")
                    for entry in running.values { entry.process.terminate() }
                }
            }
            beats += 1
            try? await Task.sleep(for: Self.heartbeat)
        }
    }

    /// Video workers of the daemons seen on the vault in the last minute, this one included
    /// (its own heartbeat may not be written yet); this daemon's alone when the catalog
    /// cannot say.
    private func clusterWorkers() async -> Int {
        let others = (try? await catalog.daemons(seenSince: Date(timeIntervalSinceNow: -60)))?.filter { $0.owner != owner } ?? []
        return workers + others.reduce(0) { $0 + $1.workers }
    }

    /// Runs one task's child process to its end and records the outcome.
    private func supervise(_ task: JobTask, light: Bool) async {
        guard let job = try? await catalog.job(id: task.jobId) else {
            try? await catalog.releaseTask(task.id, owner: owner)  // back in the queue, or cancelled with no job
            return
        }
        let work = vault.work(job: job.id)
        let process: WorkerProcess
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let assignment = WorkerAssignment(task: task, job: job, clusterWorkers: task.kind == .plan ? await clusterWorkers() : 1,
                                              light: light)
            process = try WorkerProcess(executable: executable, root: vault.root, assignment: assignment,
                                        concurrentTasks: workers,
                                        log: work.appendingPathComponent("worker-\(task.kind.rawValue)-\(task.number).log"))
        } catch {
            await record(task, of: job, plannedTitle: job.mediaId, fate: .retry("cannot start a worker: \(error)"))
            return
        }
        running[task.id] = (task, process)
        lastHeard[task.id] = .now
        let watchdog = Task { await self.watch(task.id, process) }
        logger.info("task \(task.id): \(job.source), attempt \(task.attempts) of \(job.maxAttempts), in a \(light ? "light" : "worker") slot")
        var last: WorkerMessage?
        var lastWrite = ContinuousClock.now - .seconds(1)
        for await message in process.messages {
            lastHeard[task.id] = .now
            switch message {
            case let .progress(fraction, speed):
                let now = ContinuousClock.now
                guard now - lastWrite >= .milliseconds(500) else { continue }
                lastWrite = now
                try? await catalog.updateTask(task.id, owner: owner, stage: Self.stage(of: task), progress: fraction, segments: nil, speed: speed)
                if speed > 0 { Gauge(label: "streamvault_transcode_speed").record(speed) }
            case let .segmentsReady(count):
                try? await catalog.updateTask(task.id, owner: owner, stage: Self.stage(of: task), progress: 0, segments: count, speed: 0)
                await publisher.listReadySegments(of: job)
            case let .digest(digest):
                await found(digest: digest, of: job)
            default:
                last = message
            }
        }
        let exit = await process.waitForExit()
        watchdog.cancel()
        let stopped = await watchdog.value
        running[task.id] = nil
        lastHeard[task.id] = nil
        let now = try? await catalog.job(id: job.id)  // nil: the catalog cannot say (jobs are never deleted)
        let fate = AttemptFate.decide(kind: task.kind, status: exit.status, signal: exit.signal, last: last,
                                      jobState: now?.state, cancelRequested: now?.cancelRequested ?? false,
                                      stopping: stopping, watchdog: stopped, source: job.source)
        await record(task, of: now ?? job, plannedTitle: job.mediaId, fate: fate)
    }

    /// Checks a worker every second until it ends: one silent for `stallTimeout`, or
    /// holding more than `memory` bytes, is killed; returns why, or nil.
    private func watch(_ id: String, _ process: WorkerProcess) async -> String? {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            guard !Task.isCancelled, let heard = lastHeard[id] else { return nil }
            if ContinuousClock.now - heard > limits.stallTimeout {
                process.kill()
                logger.error("task \(id): no progress for \(Int(limits.stallTimeout.seconds)) s; worker killed")
                return "stalled: no progress for \(Int(limits.stallTimeout.seconds)) s (--stall-timeout)"
            }
            if let used = process.residentBytes, used > limits.memory {
                process.kill()
                logger.error("task \(id): its worker used \(WorkerLimits.size(used)) of memory; killed")
                return "the worker used \(WorkerLimits.size(used)) of memory, more than its limit of \(WorkerLimits.size(limits.memory)) (--worker-memory)"
            }
        }
        return nil
    }

    static func stage(of task: JobTask) -> String {
        switch task.kind {
        case .plan: "planning"
        case .chunk, .tracks: "packaging"
        case .finish: "finishing"
        }
    }

    /// The tracks task hashed the source: a content already published (or being
    /// published first) makes this job a duplicate, its processing title withdrawn.
    private func found(digest: String, of job: Job) async {
        do {
            try await catalog.setDigest(jobID: job.id, digest: digest)
            guard let existing = try await catalog.mediaID(digest: digest, before: job.mediaId) else { return }
            try await publisher.duplicate(job, of: existing)
            for entry in running.values where entry.task.jobId == job.id { entry.process.terminate() }
            logger.notice("job \(job.id): \(job.source) is a duplicate of \(existing)")
        } catch {
            logger.error("job \(job.id): cannot check for duplicates: \(error)")
        }
    }

    private func record(_ task: JobTask, of job: Job, plannedTitle: String, fate: AttemptFate) async {
        do {
            switch fate {
            case let .done(message):
                try await done(task, of: job, message: message)
            case .unrecorded:
                logger.error("task \(task.id): its outcome cannot be recorded (the catalog cannot be read); it runs again once its lease expires")
            case .jobEnded:
                try await catalog.releaseTask(task.id, owner: owner)  // cancelled: its job has ended
                await publisher.cleanUp(after: job, plannedTitle: plannedTitle)
            case .cancelled:
                try await catalog.releaseTask(task.id, owner: owner)  // the job ends below, once no task of it runs
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
                for entry in running.values where entry.task.jobId == job.id { entry.process.terminate() }
                logger.error("job \(job.id) failed: \(failure)")
            }
        } catch {
            logger.error("task \(task.id): cannot record its outcome (\(fate)): \(error)")
        }
        await endIfCancelled(job)
    }

    /// A job whose cancel was asked ends once none of its tasks runs any more (its last
    /// task may have finished normally meanwhile): title withdrawn, file to `failed/`.
    private func endIfCancelled(_ job: Job) async {
        do {
            guard let current = try await catalog.job(id: job.id), current.cancelRequested, !current.state.isFinal,
                  let ended = try await catalog.cancelJob(id: job.id), ended.state == .cancelled else { return }
            try await publisher.fail(job, state: .cancelled, error: "cancelled")
            logger.notice("job \(job.id): \(job.source) cancelled")
        } catch {
            logger.error("job \(job.id): cannot end its cancel: \(error)")
        }
    }

    private func done(_ task: JobTask, of job: Job, message: WorkerMessage) async throws {
        switch message {
        case .planned:
            let plan = try TitlePlan(contentsOf: PackagingFolder(root: vault.work(job: job.id)).plan)
            var tasks = plan.chunks.map { chunk in
                let (start, end) = chunk.seconds(on: plan.timeline)
                return JobTask(jobId: job.id, kind: .chunk, number: chunk.index, start: start, end: end)
            }
            tasks.append(JobTask(jobId: job.id, kind: .tracks))
            tasks.append(JobTask(jobId: job.id, kind: .finish, state: .waiting))
            try await catalog.planned(jobID: job.id, tasks: tasks)
            try await catalog.completeTask(task.id, owner: owner, segments: 0)
            logger.info("job \(job.id): \(plan.chunks.count) chunk(s) of \(plan.timeline.plannedCount) segment(s)")
        case let .chunkDone(result):
            try await catalog.completeTask(task.id, owner: owner, segments: result.firstSegment + result.segments)
            let frames = (result.endFrame - result.startFrame) * (try TitlePlan(contentsOf: PackagingFolder(root: vault.work(job: job.id)).plan).video?.rungs.count ?? 0)
            Counter(label: "streamvault_frames_encoded_total").increment(by: frames)
            await publisher.listReadySegments(of: job)
        case let .tracksDone(segments):
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
}

/// What a worker may do before the daemon's watchdog kills it (SPEC §11).
public struct WorkerLimits: Sendable {
    /// Longest time without a message (progress counts).
    public var stallTimeout: Duration
    /// Most resident memory, bytes.
    public var memory: Int

    public init(stallTimeout: Duration = .seconds(120), memory: Int = 4 << 30) {
        self.stallTimeout = stallTimeout
        self.memory = memory
    }

    /// `5.1 GiB`, or `31 MiB` below one GiB.
    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
            : String(format: "%.0f MiB", Double(bytes) / Double(1 << 20))
    }
}
