import Catalog
import Foundation
import Logging
import ServiceLifecycle
import VaultLayout

/// Runs queued tasks — plans, chunks, tracks, finishes of any job — each in a worker child
/// process: at most `workers` at a time, and as many light ones (plan, tracks, finish:
/// probing, audio, playlists) in light slots beside them, so audio never waits for a video
/// chunk and a busy daemon still plans new titles at once; with none, the daemon claims
/// nothing (it ingests and serves only). This type is the claim loop and
/// its slots; beside it the `LeaseKeeper` renews its leases, one `Watchdog` watches every
/// worker, a `TaskSupervisor` runs each task and the `AttemptRecorder` records how it ended
/// (`AttemptFate`): a crashed or killed child fails only its task's attempt, retried with
/// backoff up to the job's `maxAttempts`. On graceful shutdown no new task is claimed,
/// running children are stopped and their tasks requeued.
public actor WorkerPool: Service {
    /// How long an idle pool waits for a notification of work before it looks anyway.
    static let poll = Duration.seconds(1)

    let catalog: any CatalogStore
    let workers: Int
    /// This daemon's name (`serve --node`), shown on the tasks it runs.
    let node: String
    /// This daemon's name on its leases.
    let owner: LeaseOwner
    /// How long a claim holds without a heartbeat (another daemon takes the task over then).
    let lease: Duration
    let logger: Logger
    private let claimed = ClaimedTasks()
    private let supervisor: TaskSupervisor
    private let keeper: LeaseKeeper
    private let watchdog: Watchdog
    /// Rung when a slot frees up, so the next task is claimed at once.
    private let slotFreed = Doorbell()

    /// - Parameters:
    ///   - http: where this daemon's HTTP server listens, shown in `GET /api/nodes`.
    ///   - retryDelay: the first retry's wait; each later one waits twice as long (at most 10 min).
    ///   - limits: the watchdog's: a worker silent this long, or this large, is killed.
    public init(vault: Vault, catalog: any CatalogStore, executable: URL, workers: Int, node: String, http: String,
                lease: Duration = .seconds(30), retryDelay: Duration = .seconds(10), limits: WorkerLimits = WorkerLimits(),
                logger: Logger) {
        let workers = max(0, workers), owner = LeaseOwner.thisProcess()
        self.catalog = catalog
        self.workers = workers
        self.node = node
        self.owner = owner
        self.lease = lease
        self.logger = logger
        let recorder = AttemptRecorder(vault: vault, catalog: catalog, publisher: Publisher(vault: vault, catalog: catalog, logger: logger),
                                       claimed: claimed, owner: owner, retryDelay: retryDelay, logger: logger)
        supervisor = TaskSupervisor(vault: vault, catalog: catalog, claimed: claimed, recorder: recorder, executable: executable,
                                    workers: workers, owner: owner, logger: logger)
        keeper = LeaseKeeper(vault: vault, catalog: catalog, claimed: claimed, recorder: recorder, owner: owner, lease: lease,
                             status: DaemonStatus(node: node, http: http, workers: workers, running: 0, owner: owner), logger: logger)
        watchdog = Watchdog(claimed: claimed, limits: limits, logger: logger)
    }

    public func run() async throws {
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await self.keeper.run() }
                let watching = Task { await self.watchdog.run() }
                await claimLoop(group: &group)
                await group.waitForAll()  // the last workers, stopping (still watched)
                watching.cancel()
            }
        } onGracefulShutdown: {
            Task { await self.claimed.stop() }
        }
    }

    /// Claims a task for each free slot and runs it, until the daemon stops.
    private func claimLoop(group: inout TaskGroup<Void>) async {
        while await !claimed.stopping {
            if Task.isCancelled {
                await claimed.stop()
                break
            }
            guard let (task, light) = await claimForAFreeSlot() else {
                await idle()
                continue
            }
            await claimed.add(task, light: light)
            group.addTask {
                await self.supervisor.supervise(task, light: light)
                await self.claimed.remove(task.id)
                self.slotFreed.ring()
            }
        }
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
        switch (await claimed.workerSlotsInUse < workers, await claimed.lightSlotsInUse < workers) {
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
}
