import Foundation
import PostgresNIO

extension PostgresCatalog {
    func enqueue(_ job: Job) async throws {
        try await transaction { db in
            try await db.insert(job, into: "job")
            try await db.insert(JobTask(jobId: job.id, kind: .plan), into: "jobTask")
            try await db.notifyWork()
        }
    }

    /// A task whose job row another transaction holds is skipped like a locked task, so a
    /// claim never waits behind (or deadlocks with) a change to that job.
    func claimNextTask(owner: String, node: String, lease: Duration, kinds: Set<JobTask.Kind>? = nil) async throws -> JobTask? {
        let allowed = (kinds ?? Set(JobTask.Kind.allCases)).map(\.rawValue)
        guard !allowed.isEmpty else { return nil }
        return try await transaction { db in
            let now = Date()
            guard var task = try await db.fetchOne(JobTask.self, """
                SELECT to_jsonb(t)::text FROM "jobTask" t JOIN job j ON j.id = t."jobId"
                WHERE t.state = 'queued' AND (t."notBefore" IS NULL OR t."notBefore" <= \(now))
                  AND t.kind = ANY(\(allowed)) AND j.state IN ('queued', 'running') AND NOT j."cancelRequested"
                ORDER BY t.priority, j."createdAt", t.number LIMIT 1
                FOR UPDATE OF t, j SKIP LOCKED
                """) else { return nil }
            task.claim(owner: owner, node: node, lease: lease, at: now)
            try await db.update(task, in: "jobTask")
            if var job = try await Self.lockJob(task.jobId, db) {
                job.start(at: now)
                job.attempts = max(job.attempts, task.attempts)
                try await db.update(job, in: "job")
            }
            return task
        }
    }

    /// The job, its row locked until the transaction ends: every change to a job's tasks
    /// takes this lock first, so two hosts finishing its last two chunks at once see each
    /// other's work (and exactly one queues the finish).
    static func lockJob(_ id: String, _ db: PostgresConnection) async throws -> Job? {
        try await db.fetchOne(Job.self, "SELECT to_jsonb(j)::text FROM job j WHERE id = \(id) FOR UPDATE")
    }

    static func tasks(of jobID: String, _ db: PostgresConnection) async throws -> [JobTask] {
        try await db.fetchAll(JobTask.self, """
            SELECT to_jsonb(t)::text FROM "jobTask" t WHERE "jobId" = \(jobID) ORDER BY priority, number
            """)
    }

    /// A running task of `owner`, with its job locked; nil when `owner` no longer holds it.
    private static func held(_ id: String, by owner: String, _ db: PostgresConnection) async throws -> (JobTask, Job?)? {
        guard let jobID = id.split(separator: ":").first.map(String.init) else { return nil }
        let job = try await lockJob(jobID, db)
        guard let task = try await db.fetchOne(JobTask.self, "SELECT to_jsonb(t)::text FROM \"jobTask\" t WHERE id = \(id)"),
              task.isHeld(by: owner) else { return nil }
        return (task, job)
    }

    func renewLeases(_ ids: Set<String>, owner: String, lease: Duration) async throws -> Set<String> {
        try await transaction { db in
            Set(try await db.column(String.self, """
                UPDATE "jobTask" SET "leaseExpiresAt" = \(Date().addingTimeInterval(lease.seconds))
                WHERE id = ANY(\(Array(ids))) AND "leaseOwner" = \(owner) AND state = 'running' RETURNING id
                """))
        }
    }

    func updateTask(_ id: String, owner: String, stage: String, progress: Double, segments: Int?, speed: Double) async throws {
        try await transaction { db in
            guard case (var task, let job)? = try await Self.held(id, by: owner, db) else { return }
            task.progress = min(1, max(0, progress))
            if let segments { task.segments = max(task.segments, segments) }
            try await db.update(task, in: "jobTask")
            guard var job, job.state == .running else { return }
            job.stage = stage
            job.progress = try await Self.tasks(of: job.id, db).jobProgress
            if speed > 0 { job.speed = speed }
            try await db.update(job, in: "job")
        }
    }

    func planned(jobID: String, tasks: [JobTask]) async throws {
        try await transaction { db in
            guard var job = try await Self.lockJob(jobID, db) else { return }
            let existing = Set(try await Self.tasks(of: jobID, db).map(\.id))
            for task in tasks where !existing.contains(task.id) { try await db.insert(task, into: "jobTask") }
            if job.state == .running {
                job.stage = "packaging"
                try await db.update(job, in: "job")
            }
            try await db.notifyWork()
        }
    }

    func completeTask(_ id: String, owner: String, segments: Int) async throws -> Bool {
        try await transaction { db in
            guard case (var task, let job)? = try await Self.held(id, by: owner, db) else { return false }
            task.complete(segments: segments)
            try await db.update(task, in: "jobTask")
            let siblings = try await Self.tasks(of: task.jobId, db)
            if siblings.readyToFinish, var finish = siblings.first(where: { $0.kind == .finish && $0.state == .waiting }) {
                finish.state = .queued
                try await db.update(finish, in: "jobTask")
                try await db.notifyWork()
            }
            if var job, job.state == .running {
                job.progress = siblings.jobProgress
                if siblings.readyToFinish, task.kind != .finish { job.stage = "finishing" }
                try await db.update(job, in: "job")
            }
            return true
        }
    }

    func retryTask(_ id: String, owner: String, error: String, notBefore: Date) async throws {
        try await transaction { db in
            guard case (var task, let job)? = try await Self.held(id, by: owner, db) else { return }
            task.retry(after: error, notBefore: notBefore)
            try await db.update(task, in: "jobTask")
            if var job, job.state == .running {
                job.error = error
                job.stage = "waiting to retry"
                try await db.update(job, in: "job")
            }
        }
    }

    func releaseTask(_ id: String, owner: String) async throws {
        try await transaction { db in
            guard case (var task, let job)? = try await Self.held(id, by: owner, db) else { return }
            if job?.state.isFinal ?? true { task.cancel() } else { task.release() }
            try await db.update(task, in: "jobTask")
            if task.kind == .plan, var job, job.state == .running {
                job.state = .queued
                job.stage = "requeued: its daemon stopped"
                try await db.update(job, in: "job")
            }
            try await db.notifyWork()
        }
    }

    func requeueAbandonedTasks() async throws -> [JobTask] {
        try await transaction { db in
            let abandoned = try await db.fetchAll(JobTask.self, """
                SELECT to_jsonb(t)::text FROM "jobTask" t WHERE state = 'running' AND "leaseExpiresAt" < \(Date())
                FOR UPDATE SKIP LOCKED
                """)
            var requeued: [JobTask] = []
            for found in abandoned {
                var task = found
                task.abandon()
                try await db.update(task, in: "jobTask")
                requeued.append(task)
            }
            if !requeued.isEmpty { try await db.notifyWork() }
            return requeued
        }
    }

    func tasksToStop(owner: String) async throws -> [String] {
        try await reading { db in
            try await db.column(String.self, """
                SELECT t.id FROM "jobTask" t JOIN job j ON j.id = t."jobId"
                WHERE t."leaseOwner" = \(owner) AND t.state = 'running'
                  AND (j."cancelRequested" OR j.state NOT IN ('queued', 'running'))
                """)
        }
    }

    func tasks(jobID: String) async throws -> [JobTask] {
        try await reading { db in try await Self.tasks(of: jobID, db) }
    }

    func runningTasks() async throws -> [JobTask] {
        try await reading { db in
            try await db.fetchAll(JobTask.self, "SELECT to_jsonb(t)::text FROM \"jobTask\" t WHERE state = 'running'")
        }
    }

    func setDigest(jobID: String, digest: String) async throws {
        try await transaction { db in
            guard var job = try await Self.lockJob(jobID, db) else { return }
            job.digest = digest
            try await db.update(job, in: "job")
            try await db.run("UPDATE media SET digest = \(digest) WHERE id = \(job.mediaId) AND status = 'processing'")
        }
    }

    func finishJob(id: String, state: Job.State, error: String?, mediaId: String?) async throws {
        try await transaction { db in try await Self.finish(id, as: state, error: error, mediaId: mediaId, db) }
    }

    /// Ends a job inside a transaction (`Job.end`); its unfinished tasks are cancelled.
    static func finish(_ id: String, as state: Job.State, error: String?, mediaId: String?, _ db: PostgresConnection) async throws {
        guard var job = try await lockJob(id, db) else { return }
        job.end(as: state, error: error, mediaId: mediaId, at: Date())
        try await db.update(job, in: "job")
        try await db.run("""
            UPDATE "jobTask" SET state = 'cancelled', "leaseOwner" = NULL, "leaseExpiresAt" = NULL
            WHERE "jobId" = \(id) AND state IN ('waiting', 'queued')
            """)
    }

    func cancelJob(id: String) async throws -> Job? {
        try await transaction { db in
            guard var job = try await Self.lockJob(id, db) else { return nil }
            guard !job.state.isFinal else { return job }
            let running = try await Self.tasks(of: id, db).filter { $0.state == .running }
            if running.isEmpty {
                try await Self.finish(id, as: .cancelled, error: "cancelled", mediaId: nil, db)
                return try await Self.lockJob(id, db)
            }
            job.cancelRequested = true
            try await db.update(job, in: "job")
            return job
        }
    }

    func job(id: String) async throws -> Job? {
        try await reading { db in try await db.fetchOne(Job.self, "SELECT to_jsonb(j)::text FROM job j WHERE id = \(id)") }
    }

    func jobs(state: Job.State?) async throws -> [Job] {
        try await reading { db in
            if let state {
                return try await db.fetchAll(Job.self, """
                    SELECT to_jsonb(j)::text FROM job j WHERE state = \(state.rawValue) ORDER BY "createdAt" DESC
                    """)
            }
            return try await db.fetchAll(Job.self, "SELECT to_jsonb(j)::text FROM job j ORDER BY \"createdAt\" DESC")
        }
    }

    func jobCounts() async throws -> [Job.State: Int] {
        try await reading { db in
            var counts: [Job.State: Int] = [:]
            for try await (state, count) in try await db.query("SELECT state, count(*) FROM job GROUP BY state", logger: PostgresCatalog.quiet)
                .decode((String, Int).self) {
                if let state = Job.State(rawValue: state) { counts[state] = count }
            }
            return counts
        }
    }
}
