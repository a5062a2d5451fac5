import Foundation
import GRDB

extension SQLiteCatalog {
    public func enqueue(_ job: Job) async throws {
        try await pool.write { db in
            try job.insert(db)
            try JobTask(jobId: job.id, kind: .plan).insert(db)
        }
    }

    public func claimNextTask(owner: String, node: String, lease: Duration, kinds: Set<JobTask.Kind>? = nil) async throws -> JobTask? {
        try await pool.write { db in
            let now = Date()
            let allowed = (kinds ?? [.plan, .chunk, .tracks, .finish]).map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
            guard var task = try JobTask.fetchOne(db, sql: """
                SELECT jobTask.* FROM jobTask JOIN job ON job.id = jobTask.jobId
                WHERE jobTask.state = 'queued' AND (jobTask.notBefore IS NULL OR jobTask.notBefore <= ?)
                  AND jobTask.kind IN (\(allowed))
                  AND job.state IN ('queued', 'running') AND NOT job.cancelRequested
                ORDER BY jobTask.priority, job.createdAt, jobTask.number LIMIT 1
                """, arguments: [now]) else { return nil }
            task.state = .running
            task.attempts += 1
            task.node = node
            task.progress = 0
            task.leaseOwner = owner
            task.leaseExpiresAt = now.addingTimeInterval(lease.seconds)
            try task.update(db)
            if var job = try Job.fetchOne(db, key: task.jobId) {
                if job.state == .queued {
                    job.state = .running
                    job.startedAt = now
                    job.stage = "planning"
                }
                job.attempts = max(job.attempts, task.attempts)
                try job.update(db)
            }
            return task
        }
    }

    public func renewLeases(owner: String, lease: Duration) async throws {
        try await pool.write { db in
            _ = try JobTask
                .filter(JobTask.Columns.leaseOwner == owner && JobTask.Columns.state == JobTask.State.running.rawValue)
                .updateAll(db, JobTask.Columns.leaseExpiresAt.set(to: Date().addingTimeInterval(lease.seconds)))
        }
    }

    public func updateTask(_ id: String, stage: String, progress: Double, segments: Int?, speed: Double) async throws {
        try await pool.write { db in
            guard var task = try JobTask.fetchOne(db, key: id), task.state == .running else { return }
            task.progress = min(1, max(0, progress))
            if let segments { task.segments = max(task.segments, segments) }
            try task.update(db)
            guard var job = try Job.fetchOne(db, key: task.jobId), job.state == .running else { return }
            job.stage = stage
            job.progress = try Self.progress(ofJob: job.id, in: db)
            if speed > 0 { job.speed = speed }
            try job.update(db)
        }
    }

    /// A job's progress from its tasks: the chunks (by length) make 90 %, the tracks and
    /// the finish 5 % each; an audio-only job is its tracks and finish.
    static func progress(ofJob id: String, in db: Database) throws -> Double {
        let tasks = try JobTask.filter(JobTask.Columns.jobId == id).fetchAll(db)
        func done(_ task: JobTask) -> Double { task.state == .done ? 1 : task.progress }
        let chunks = tasks.filter { $0.kind == .chunk }
        let tracks = tasks.first { $0.kind == .tracks }.map(done)
        let finish = tasks.first { $0.kind == .finish }.map(done) ?? 0
        guard !chunks.isEmpty else { return (tracks ?? 0) * 0.95 + finish * 0.05 }
        let length = chunks.reduce(0) { $0 + max(0.001, ($1.end ?? 0) - ($1.start ?? 0)) }
        let made = chunks.reduce(0) { $0 + max(0.001, ($1.end ?? 0) - ($1.start ?? 0)) * done($1) }
        return 0.9 * made / length + 0.05 * (tracks ?? 1) + 0.05 * finish
    }

    public func planned(jobID: String, tasks: [JobTask]) async throws {
        try await pool.write { db in
            for task in tasks where try !JobTask.exists(db, key: task.id) { try task.insert(db) }
            if var job = try Job.fetchOne(db, key: jobID), job.state == .running {
                job.stage = "packaging"
                try job.update(db)
            }
        }
    }

    public func completeTask(_ id: String, segments: Int) async throws {
        try await pool.write { db in
            guard var task = try JobTask.fetchOne(db, key: id), task.state == .running else { return }
            task.state = .done
            task.progress = 1
            task.segments = max(task.segments, segments)
            task.leaseOwner = nil
            task.leaseExpiresAt = nil
            task.error = nil
            try task.update(db)
            let siblings = try JobTask.filter(JobTask.Columns.jobId == task.jobId).fetchAll(db)
            let pending = siblings.filter { [.chunk, .tracks].contains($0.kind) && $0.state != .done }
            if pending.isEmpty, var finish = siblings.first(where: { $0.kind == .finish && $0.state == .waiting }) {
                finish.state = .queued
                try finish.update(db)
            }
            if var job = try Job.fetchOne(db, key: task.jobId), job.state == .running {
                job.progress = try Self.progress(ofJob: job.id, in: db)
                if pending.isEmpty, task.kind != .finish { job.stage = "finishing" }
                try job.update(db)
            }
        }
    }

    public func retryTask(_ id: String, error: String, notBefore: Date) async throws {
        try await pool.write { db in
            guard var task = try JobTask.fetchOne(db, key: id), task.state == .running else { return }
            task.state = .queued
            task.error = error
            task.notBefore = notBefore
            task.leaseOwner = nil
            task.leaseExpiresAt = nil
            try task.update(db)
            if var job = try Job.fetchOne(db, key: task.jobId), job.state == .running {
                job.error = error
                job.stage = "waiting to retry"
                try job.update(db)
            }
        }
    }

    public func releaseTask(_ id: String) async throws {
        try await pool.write { db in
            guard var task = try JobTask.fetchOne(db, key: id), task.state == .running else { return }
            task.state = .queued
            task.attempts = max(0, task.attempts - 1)
            task.progress = 0
            task.leaseOwner = nil
            task.leaseExpiresAt = nil
            try task.update(db)
            if task.kind == .plan, var job = try Job.fetchOne(db, key: task.jobId), job.state == .running {
                job.state = .queued
                job.stage = "requeued: its daemon stopped"
                try job.update(db)
            }
        }
    }

    public func requeueAbandonedTasks() async throws -> [JobTask] {
        try await pool.write { db in
            let abandoned = try JobTask
                .filter(JobTask.Columns.state == JobTask.State.running.rawValue && JobTask.Columns.leaseExpiresAt < Date())
                .fetchAll(db)
            return try abandoned.map { found in
                var task = found
                task.state = .queued
                task.progress = 0
                task.notBefore = nil
                task.leaseOwner = nil
                task.leaseExpiresAt = nil
                try task.update(db)
                return task
            }
        }
    }

    public func tasksToStop(owner: String) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT jobTask.id FROM jobTask JOIN job ON job.id = jobTask.jobId
                WHERE jobTask.leaseOwner = ? AND jobTask.state = 'running'
                  AND (job.cancelRequested OR job.state NOT IN ('queued', 'running'))
                """, arguments: [owner])
        }
    }

    public func tasks(jobID: String) async throws -> [JobTask] {
        try await pool.read { db in
            try JobTask.filter(JobTask.Columns.jobId == jobID).order(JobTask.Columns.priority, JobTask.Columns.number).fetchAll(db)
        }
    }

    public func runningTasks() async throws -> [JobTask] {
        try await pool.read { db in try JobTask.filter(JobTask.Columns.state == JobTask.State.running.rawValue).fetchAll(db) }
    }

    public func setDigest(jobID: String, digest: String) async throws {
        try await pool.write { db in
            guard var job = try Job.fetchOne(db, key: jobID) else { return }
            job.digest = digest
            try job.update(db)
            try db.execute(sql: "UPDATE media SET digest = ? WHERE id = ? AND status = 'processing'", arguments: [digest, job.mediaId])
        }
    }

    public func finishJob(id: String, state: Job.State, error: String?, mediaId: String?) async throws {
        try await pool.write { db in try Self.finish(id, as: state, error: error, mediaId: mediaId, in: db) }
    }

    /// Ends a job inside a write transaction: its final state, the error if any, the title
    /// it made or duplicates; its unfinished tasks are cancelled. Complete work
    /// (succeeded, duplicate) is at 100 %.
    static func finish(_ id: String, as state: Job.State, error: String?, mediaId: String?, in db: Database) throws {
        guard var job = try Job.fetchOne(db, key: id) else { return }
        job.state = state
        job.stage = state == .succeeded ? "done" : state.rawValue
        if state == .succeeded || state == .duplicate { job.progress = 1 }
        job.error = error
        if let mediaId { job.mediaId = mediaId }
        job.finishedAt = Date()
        try job.update(db)
        try db.execute(sql: """
            UPDATE jobTask SET state = 'cancelled', leaseOwner = NULL, leaseExpiresAt = NULL
            WHERE jobId = ? AND state IN ('waiting', 'queued')
            """, arguments: [id])
    }

    public func cancelJob(id: String) async throws -> Job? {
        try await pool.write { db in
            guard var job = try Job.fetchOne(db, key: id) else { return nil }
            guard !job.state.isFinal else { return job }
            let running = try JobTask.filter(JobTask.Columns.jobId == id && JobTask.Columns.state == JobTask.State.running.rawValue)
                .fetchCount(db)
            if running == 0 {
                try Self.finish(id, as: .cancelled, error: "cancelled", mediaId: nil, in: db)
                return try Job.fetchOne(db, key: id)
            }
            job.cancelRequested = true
            try job.update(db)
            return job
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
