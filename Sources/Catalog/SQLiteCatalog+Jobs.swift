import Foundation
import GRDB

extension SQLiteCatalog {
    public func enqueue(_ job: Job) async throws {
        try await pool.write { db in try job.insert(db) }
    }

    public func claimNextJob(owner: String, lease: Duration) async throws -> Job? {
        try await pool.write { db in
            let now = Date()
            guard var job = try Job
                .filter(Job.Columns.state == Job.State.queued.rawValue)
                .filter(Job.Columns.notBefore == nil || Job.Columns.notBefore <= now)
                .order(Job.Columns.createdAt)
                .fetchOne(db) else { return nil }
            job.state = .running
            job.stage = "starting"
            job.progress = 0
            job.speed = 0
            job.attempts += 1
            job.startedAt = now
            job.leaseOwner = owner
            job.leaseExpiresAt = now.addingTimeInterval(lease.seconds)
            try job.update(db)
            return job
        }
    }

    public func renewLeases(owner: String, lease: Duration) async throws {
        try await pool.write { db in
            _ = try Job
                .filter(Job.Columns.leaseOwner == owner && Job.Columns.state == Job.State.running.rawValue)
                .updateAll(db, Job.Columns.leaseExpiresAt.set(to: Date().addingTimeInterval(lease.seconds)))
        }
    }

    public func updateProgress(jobID: String, stage: String, progress: Double, speed: Double) async throws {
        try await pool.write { db in
            guard var job = try Job.fetchOne(db, key: jobID), job.state == .running else { return }
            job.stage = stage
            job.progress = min(1, max(0, progress))
            job.speed = speed
            try job.update(db)
        }
    }

    public func finishJob(id: String, state: Job.State, error: String?, mediaId: String?) async throws {
        try await pool.write { db in try Self.finish(id, as: state, error: error, mediaId: mediaId, in: db) }
    }

    /// Ends a job inside a write transaction: its final state, the error if any, the title
    /// it made or duplicates, and no lease. Complete work (succeeded, duplicate) is at 100 %.
    static func finish(_ id: String, as state: Job.State, error: String?, mediaId: String?, in db: Database) throws {
        guard var job = try Job.fetchOne(db, key: id) else { return }
        job.state = state
        job.stage = state == .succeeded ? "done" : state.rawValue
        if state == .succeeded || state == .duplicate { job.progress = 1 }
        job.error = error
        if let mediaId { job.mediaId = mediaId }
        job.finishedAt = Date()
        job.leaseOwner = nil
        job.leaseExpiresAt = nil
        try job.update(db)
    }

    public func retryJob(id: String, error: String, notBefore: Date) async throws {
        try await pool.write { db in
            guard var job = try Job.fetchOne(db, key: id) else { return }
            job.state = .queued
            job.stage = "waiting to retry"
            job.error = error
            job.notBefore = notBefore
            job.leaseOwner = nil
            job.leaseExpiresAt = nil
            try job.update(db)
        }
    }

    public func releaseJob(id: String) async throws {
        try await pool.write { db in
            guard var job = try Job.fetchOne(db, key: id), job.state == .running else { return }
            job.state = .queued
            job.stage = "requeued: its daemon stopped"
            job.attempts = max(0, job.attempts - 1)
            job.progress = 0
            job.leaseOwner = nil
            job.leaseExpiresAt = nil
            try job.update(db)
        }
    }

    public func cancelJob(id: String) async throws -> Job? {
        try await pool.write { db in
            guard var job = try Job.fetchOne(db, key: id) else { return nil }
            switch job.state {
            case .queued:
                job.state = .cancelled
                job.stage = "cancelled"
                job.finishedAt = Date()
            case .running:
                job.cancelRequested = true
            default:
                return job
            }
            try job.update(db)
            return job
        }
    }

    public func requeueAbandonedJobs() async throws -> [Job] {
        try await pool.write { db in
            let abandoned = try Job
                .filter(Job.Columns.state == Job.State.running.rawValue && Job.Columns.leaseExpiresAt < Date())
                .fetchAll(db)
            return try abandoned.map { found in
                var job = found
                job.state = job.cancelRequested ? .cancelled : .queued
                job.stage = job.cancelRequested ? "cancelled" : "requeued: its daemon stopped"
                job.leaseOwner = nil
                job.leaseExpiresAt = nil
                job.notBefore = nil
                if job.cancelRequested { job.finishedAt = Date() }
                try job.update(db)
                return job
            }
        }
    }

    public func cancelRequests(owner: String) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, Job.select(Job.Columns.id)
                .filter(Job.Columns.leaseOwner == owner && Job.Columns.state == Job.State.running.rawValue)
                .filter(Column("cancelRequested") == true))
        }
    }

    public func job(id: String) async throws -> Job? {
        try await pool.read { db in try Job.fetchOne(db, key: id) }
    }

    public func jobs(state: Job.State?) async throws -> [Job] {
        try await pool.read { db in
            var request = Job.order(Job.Columns.createdAt.desc)
            if let state { request = request.filter(Job.Columns.state == state.rawValue) }
            return try request.fetchAll(db)
        }
    }
}
