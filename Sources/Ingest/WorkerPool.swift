import Catalog
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Runs queued jobs, each in a worker child process, at most `workers` at a time, under
/// this daemon's lease (renewed by a heartbeat). A child that crashes or is killed fails
/// only its attempt: the job is retried with backoff up to its `maxAttempts`. On graceful
/// shutdown no new job is claimed, running children are stopped and their jobs requeued.
public actor WorkerPool: Service {
    public static let lease = Duration.seconds(30)
    static let heartbeat = Duration.seconds(2)

    let vault: Vault
    let catalog: any CatalogStore
    let publisher: Publisher
    let executable: URL
    let workers: Int
    /// The first retry's wait; each later one waits twice as long (at most 10 min).
    let retryDelay: Duration
    /// This daemon's name on its leases: host, pid and a random part.
    let owner: String
    let logger: Logger
    private var running: [String: WorkerProcess] = [:]
    private var stopping = false

    public init(vault: Vault, catalog: any CatalogStore, executable: URL, workers: Int,
                retryDelay: Duration = .seconds(10), logger: Logger) {
        self.vault = vault
        self.catalog = catalog
        publisher = Publisher(vault: vault, catalog: catalog)
        self.executable = executable
        self.workers = max(1, workers)
        self.retryDelay = retryDelay
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
                    if running.count < workers, let job = try await claim() {
                        group.addTask { await self.supervise(job) }
                    } else {
                        try? await Task.sleep(for: .milliseconds(500))
                    }
                }
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            Task { await self.stop() }
        }
    }

    /// No new claims; running children get SIGTERM (their jobs go back to the queue).
    private func stop() {
        stopping = true
        for process in running.values { process.terminate() }
    }

    private func claim() async throws -> Job? {
        do {
            return try await catalog.claimNextJob(owner: owner, lease: Self.lease)
        } catch {
            logger.error("cannot claim a job: \(error)")
            return nil
        }
    }

    /// Renews this daemon's leases, stops jobs whose cancel was asked, and puts back in
    /// the queue the jobs of daemons that died.
    private func keepLeases() async throws {
        var beats = 0
        while !stopping || !running.isEmpty {
            if Task.isCancelled, running.isEmpty { return }
            do {
                try await catalog.renewLeases(owner: owner, lease: Self.lease)
                for id in try await catalog.cancelRequests(owner: owner) { running[id]?.terminate() }
                if beats % 5 == 0 {
                    for job in try await catalog.requeueAbandonedJobs() {
                        logger.notice("job \(job.id) (\(job.source)): its daemon stopped; \(job.state == .queued ? "queued again" : "cancelled")")
                    }
                }
            } catch {
                logger.error("catalog unavailable for the heartbeat: \(error)")
            }
            beats += 1
            try? await Task.sleep(for: Self.heartbeat)
        }
    }

    /// Runs one job's child process to its end and settles the job.
    private func supervise(_ job: Job) async {
        let work = vault.work(job: job.id)
        let process: WorkerProcess
        do {
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            process = try WorkerProcess(executable: executable, root: vault.root, jobID: job.id,
                                        log: work.appendingPathComponent("worker.log"))
        } catch {
            await settle(job, failure: "cannot start a worker: \(error)", retry: true)
            return
        }
        running[job.id] = process
        logger.info("job \(job.id): \(job.source), attempt \(job.attempts) of \(job.maxAttempts)")
        var last: WorkerMessage?
        var lastWrite = ContinuousClock.now - .seconds(1), lastStage = ""
        for await message in process.messages {
            guard message.kind == .progress else {
                last = message
                continue
            }
            let stage = message.stage ?? "", now = ContinuousClock.now
            guard now - lastWrite >= .milliseconds(500) || stage != lastStage else { continue }
            lastWrite = now
            lastStage = stage
            try? await catalog.updateProgress(jobID: job.id, stage: stage, progress: message.progress ?? 0, speed: message.speed ?? 0)
            if let speed = message.speed, speed > 0 { Gauge(label: "streamvault_transcode_speed").record(speed) }
        }
        let exit = await process.waitForExit()
        running[job.id] = nil
        await settle(job, exit: exit, last: last)
    }

    private func settle(_ job: Job, exit: (status: Int32, signal: Int32?), last: WorkerMessage?) async {
        let cancelAsked = (try? await catalog.job(id: job.id))?.cancelRequested ?? false
        do {
            switch (exit.status, exit.signal, last?.kind) {
            case (WorkerExit.success, nil, .done?):
                let result = last!.result!
                let outcome = try await publisher.publish(job, result: result, digest: last!.digest ?? "")
                let frames = result.duration * (result.frameRate ?? 0) * Double(result.video.count)
                Counter(label: "streamvault_frames_encoded_total").increment(by: Int(frames.rounded()))
                Gauge(label: "streamvault_transcode_speed").record(result.speed)
                logger.notice("job \(job.id): \(job.source) → \(outcome)")
            case (WorkerExit.success, nil, .duplicate?):
                try await publisher.duplicate(job, of: last!.duplicateOf!)
                logger.notice("job \(job.id): \(job.source) is a duplicate of \(last!.duplicateOf!)")
            case _ where cancelAsked:
                try await publisher.fail(job, state: .cancelled, error: "cancelled")
                logger.notice("job \(job.id): \(job.source) cancelled")
            case _ where stopping && (exit.status == WorkerExit.interrupted || exit.signal == SIGTERM):
                publisher.discardAttempt(of: job)
                try await catalog.releaseJob(id: job.id)
                logger.notice("job \(job.id): stopped with the daemon, queued again")
            case (WorkerExit.permanentFailure, nil, _):
                await settle(job, failure: last?.error ?? "\(job.source): failed", retry: false)
            case (_, let signal?, _):
                await settle(job, failure: "\(job.source): the worker was killed by \(Self.name(ofSignal: signal))"
                    + (signal == SIGKILL ? " (out of memory?)" : ""), retry: true)
            default:
                await settle(job, failure: last?.error ?? "\(job.source): the worker exited with status \(exit.status)", retry: true)
            }
        } catch {
            await settle(job, failure: "\(job.source): cannot publish: \(error)", retry: true)
        }
    }

    /// A failed attempt: retried after a backoff (`retryDelay`, then twice as long each time,
    /// at most 10 min) while
    /// attempts remain and retrying may help, else the job fails for good.
    private func settle(_ job: Job, failure: String, retry: Bool) async {
        publisher.discardAttempt(of: job)
        do {
            if retry, job.attempts < job.maxAttempts, !stopping {
                let delay = min(600, retryDelay.seconds * pow(2, Double(job.attempts - 1)))
                try await catalog.retryJob(id: job.id, error: failure, notBefore: Date().addingTimeInterval(delay))
                logger.warning("job \(job.id): \(failure); retry in \(Int(delay)) s")
            } else if retry, stopping {
                try await catalog.releaseJob(id: job.id)
            } else {
                try await publisher.fail(job, error: failure)
                logger.error("job \(job.id) failed: \(failure)")
            }
        } catch {
            logger.error("job \(job.id): cannot record the failure (\(failure)): \(error)")
        }
    }

    static func name(ofSignal signal: Int32) -> String {
        let names: [Int32: String] = [SIGSEGV: "SIGSEGV", SIGKILL: "SIGKILL", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS",
                                      SIGTERM: "SIGTERM", SIGILL: "SIGILL", SIGFPE: "SIGFPE", SIGINT: "SIGINT"]
        return "signal \(signal)" + (names[signal].map { " (\($0))" } ?? "")
    }
}
