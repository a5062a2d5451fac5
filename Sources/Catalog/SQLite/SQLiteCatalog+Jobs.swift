import Foundation
import GRDB

extension SQLiteCatalog {
    func enqueue(_ job: Job) async throws {
        try await pool.write { db in
            try job.insert(db)
            try JobTask(jobId: job.id, kind: .plan).insert(db)
        }
        doorbell.ring()
    }

    func claimNextTask(owner: String, node: String, lease: Duration, kinds: Set<JobTask.Kind>? = nil) async throws -> JobTask? {
        try await pool.write { db in
            let now = Date()
            let allowed = (kinds ?? Set(JobTask.Kind.allCases)).map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
            guard !allowed.isEmpty, var task = try JobTask.fetchOne(db, sql: """
                SELECT jobTask.* FROM jobTask JOIN job ON job.id = jobTask.jobId
                WHERE jobTask.state = 'queued' AND (jobTask.notBefore IS NULL OR jobTask.notBefore <= ?)
                  AND jobTask.kind IN (\(allowed))
                  AND job.state IN ('queued', 'running') AND NOT job.cancelRequested
                ORDER BY jobTask.priority, job.createdAt, jobTask.number LIMIT 1
                """, arguments: [now]) else { return nil }
            task.claim(owner: owner, node: node, lease: lease, at: now)
            try task.update(db)
            if var job = try Job.fetchOne(db, key: task.jobId) {
                job.start(at: now)
                job.attempts = max(job.attempts, task.attempts)
                try job.update(db)
            }
            return task
        }
    }

    func renewLeases(_ ids: Set<String>, owner: String, lease: Duration) async throws -> Set<String> {
        try await pool.write { db in
            let held = JobTask.filter(ids.contains(Column("id")) && Column("leaseOwner") == owner
                && Column("state") == JobTask.State.running.rawValue)
            _ = try held.updateAll(db, Column("leaseExpiresAt").set(to: Date().addingTimeInterval(lease.seconds)))
            return Set(try String.fetchAll(db, held.select(Column("id"))))
        }
    }

    func updateTask(_ id: String, owner: String, stage: String, progress: Double, segments: Int?, speed: Double) async throws {
        try await pool.write { db in
            guard var task = try JobTask.fetchOne(db, key: id), task.isHeld(by: owner) else { return }
            task.progress = min(1, max(0, progress))
            if let segments { task.segments = max(task.segments, segments) }
            try task.update(db)
            guard var job = try Job.fetchOne(db, key: task.jobId), job.state == .running else { return }
            job.stage = stage
            job.progress = try Self.tasks(of: job.id, in: db).jobProgress
            if speed > 0 { job.speed = speed }
            try job.update(db)
        }
    }

    private static func tasks(of jobID: String, in db: Database) throws -> [JobTask] {
        try JobTask.filter(Column("jobId") == jobID).order(Column("priority"), Column("number")).fetchAll(db)
    }

    func planned(jobID: String, tasks: [JobTask]) async throws {
        try await pool.write { db in
            for task in tasks where try !JobTask.exists(db, key: task.id) { try task.insert(db) }
            if var job = try Job.fetchOne(db, key: jobID), job.state == .running {
                job.stage = "packaging"
                try job.update(db)
            }
        }
        doorbell.ring()
    }

    func completeTask(_ id: String, owner: String, segments: Int) async throws -> Bool {
        let completed = try await pool.write { db in
            guard var task = try JobTask.fetchOne(db, key: id), task.isHeld(by: owner) else { return false }
            task.complete(segments: segments)
            try task.update(db)
            let siblings = try Self.tasks(of: task.jobId, in: db)
            if siblings.readyToFinish, var finish = siblings.first(where: { $0.kind == .finish && $0.state == .waiting }) {
                finish.state = .queued
                try finish.update(db)
            }
            if var job = try Job.fetchOne(db, key: task.jobId), job.state == .running {
                job.progress = siblings.jobProgress
                if siblings.readyToFinish, task.kind != .finish { job.stage = "finishing" }
                try job.update(db)
            }
            return true
        }
        doorbell.ring()
        return completed
    }

    func retryTask(_ id: String, owner: String, error: String, notBefore: Date) async throws {
        try await pool.write { db in
            guard var task = try JobTask.fetchOne(db, key: id), task.isHeld(by: owner) else { return }
            task.retry(after: error, notBefore: notBefore)
            try task.update(db)
            if var job = try Job.fetchOne(db, key: task.jobId), job.state == .running {
                job.error = error
                job.stage = "waiting to retry"
                try job.update(db)
            }
        }
    }

    func releaseTask(_ id: String, owner: String) async throws {
        try await pool.write { db in
            guard var task = try JobTask.fetchOne(db, key: id), task.isHeld(by: owner) else { return }
            let job = try Job.fetchOne(db, key: task.jobId)
            if job?.state.isFinal ?? true { task.cancel() } else { task.release() }
            try task.update(db)
            if task.kind == .plan, var job, job.state == .running {
                job.state = .queued
                job.stage = "requeued: its daemon stopped"
                try job.update(db)
            }
        }
        doorbell.ring()
    }

    func requeueAbandonedTasks() async throws -> [JobTask] {
        let requeued = try await pool.write { db in
            let abandoned = try JobTask
                .filter(Column("state") == JobTask.State.running.rawValue && Column("leaseExpiresAt") < Date())
                .fetchAll(db)
            return try abandoned.map { found in
                var task = found
                task.abandon()
                try task.update(db)
                return task
            }
        }
        if !requeued.isEmpty { doorbell.ring() }
        return requeued
    }

    func tasksToStop(owner: String) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT jobTask.id FROM jobTask JOIN job ON job.id = jobTask.jobId
                WHERE jobTask.leaseOwner = ? AND jobTask.state = 'running'
                  AND (job.cancelRequested OR job.state NOT IN ('queued', 'running'))
                """, arguments: [owner])
        }
    }

    func tasks(jobID: String) async throws -> [JobTask] {
        try await pool.read { db in try Self.tasks(of: jobID, in: db) }
    }

    func runningTasks() async throws -> [JobTask] {
        try await pool.read { db in try JobTask.filter(Column("state") == JobTask.State.running.rawValue).fetchAll(db) }
    }

    func setDigest(jobID: String, digest: String) async throws {
        try await pool.write { db in
            guard var job = try Job.fetchOne(db, key: jobID) else { return }
            job.digest = digest
            try job.update(db)
            try db.execute(sql: "UPDATE media SET digest = ? WHERE id = ? AND status = 'processing'", arguments: [digest, job.mediaId])
        }
    }

    func finishJob(id: String, state: Job.State, error: String?, mediaId: String?) async throws {
        try await pool.write { db in try Self.finish(id, as: state, error: error, mediaId: mediaId, in: db) }
    }

    /// Ends a job inside a write transaction (`Job.end`); its unfinished tasks are cancelled.
    static func finish(_ id: String, as state: Job.State, error: String?, mediaId: String?, in db: Database) throws {
        guard var job = try Job.fetchOne(db, key: id) else { return }
        job.end(as: state, error: error, mediaId: mediaId, at: Date())
        try job.update(db)
        try db.execute(sql: """
            UPDATE jobTask SET state = 'cancelled', leaseOwner = NULL, leaseExpiresAt = NULL
            WHERE jobId = ? AND state IN ('waiting', 'queued')
            """, arguments: [id])
    }

    func cancelJob(id: String) async throws -> Job? {
        try await pool.write { db in
            guard var job = try Job.fetchOne(db, key: id) else { return nil }
            guard !job.state.isFinal else { return job }
            let running = try JobTask.filter(Column("jobId") == id && Column("state") == JobTask.State.running.rawValue)
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

    func job(id: String) async throws -> Job? {
        try await pool.read { db in try Job.fetchOne(db, key: id) }
    }

    func jobs(state: Job.State?) async throws -> [Job] {
        try await pool.read { db in
            var request = Job.order(Column("createdAt").desc)
            if let state { request = request.filter(Column("state") == state.rawValue) }
            return try request.fetchAll(db)
        }
    }

    func jobCounts() async throws -> [Job.State: Int] {
        try await pool.read { db in
            var counts: [Job.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM job GROUP BY state") {
                if let state = Job.State(rawValue: row["state"]) { counts[state] = row["n"] }
            }
            return counts
        }
    }
}
