import Foundation
import VaultLayout
import PostgresNIO

extension PostgresCatalog: SnapshotStore {
    /// Locks job `id` and reads its tasks in one transaction, applies `transition` (the
    /// queue's rules, `JobSnapshot`) and saves what it changed. Every change to a job's
    /// tasks takes the job's lock first, so two hosts finishing its last two chunks at once
    /// see each other's work (and exactly one queues the finish).
    func change<T: Sendable>(job id: String, _ transition: @escaping @Sendable (inout JobSnapshot) -> T) async throws -> T {
        try await transaction { db in
            var snapshot = try await Self.snapshot(of: id, db)
            let result = transition(&snapshot)
            try await Self.save(snapshot, db)
            return result
        }
    }

    static func snapshot(of jobID: String, _ db: PostgresConnection) async throws -> JobSnapshot {
        guard let job = try await lockJob(jobID, db) else { return JobSnapshot(job: nil, tasks: []) }
        return JobSnapshot(job: job, tasks: try await tasks(of: jobID, db))
    }

    /// Writes the rows a transition made or changed; wakes the workers of every daemon
    /// once the transaction commits, if it queued work.
    static func save(_ snapshot: JobSnapshot, _ db: PostgresConnection) async throws {
        if let job = snapshot.job {
            if snapshot.jobIsNew { try await db.insert(job, into: "job") } else if snapshot.jobChanged { try await db.update(job, in: "job") }
        }
        for id in snapshot.newTasks { if let task = snapshot.task(id) { try await db.insert(task, into: "jobTask") } }
        for id in snapshot.changedTasks { if let task = snapshot.task(id) { try await db.update(task, in: "jobTask") } }
        try await announce(snapshot, db)
        if snapshot.wakesWorkers { try await db.notifyWork() }
    }

    /// The job, its row locked until the transaction ends.
    static func lockJob(_ id: String, _ db: PostgresConnection) async throws -> Job? {
        try await db.fetchOne(Job.self, "SELECT to_jsonb(j)::text FROM job j WHERE id = \(id) FOR UPDATE")
    }

    static func tasks(of jobID: String, _ db: PostgresConnection) async throws -> [JobTask] {
        try await db.fetchAll(JobTask.self, """
            SELECT to_jsonb(t)::text FROM "jobTask" t WHERE "jobId" = \(jobID) ORDER BY priority, number
            """)
    }

    func enqueue(_ job: Job) async throws {
        try await transaction { db in try await Self.save(JobSnapshot(enqueuing: job), db) }
    }

    /// A task whose job row another transaction holds is skipped like a locked task, so a
    /// claim never waits behind (or deadlocks with) a change to that job.
    func claimNextTask(owner: LeaseOwner, node: String, lease: Duration, kinds: Set<JobTask.Kind>? = nil) async throws -> JobTask? {
        let allowed = (kinds ?? Set(JobTask.Kind.allCases)).map(\.rawValue)
        guard !allowed.isEmpty else { return nil }
        return try await transaction { db in
            let now = Date()
            guard let found = try await db.fetchOne(JobTask.self, """
                SELECT to_jsonb(t)::text FROM "jobTask" t JOIN job j ON j.id = t."jobId"
                WHERE t.state = 'queued' AND (t."notBefore" IS NULL OR t."notBefore" <= \(now))
                  AND t.kind = ANY(\(allowed)) AND j.state IN ('queued', 'running') AND NOT j."cancelRequested"
                ORDER BY t.priority, j."createdAt", t.number LIMIT 1
                FOR UPDATE OF t, j SKIP LOCKED
                """) else { return nil }
            var snapshot = JobSnapshot(job: try await Self.lockJob(found.jobId, db), tasks: [found])
            snapshot.claim(found.id, owner: owner, node: node, lease: lease, at: now)
            try await Self.save(snapshot, db)
            return snapshot.task(found.id)
        }
    }

    func renewLeases(_ ids: Set<TaskID>, owner: LeaseOwner, lease: Duration) async throws -> Set<TaskID> {
        try await transaction { db in
            Set(try await db.column(String.self, """
                UPDATE "jobTask" SET "leaseExpiresAt" = \(Date().addingTimeInterval(lease.seconds))
                WHERE id = ANY(\(ids.map(\.rawValue))) AND "leaseOwner" = \(owner.rawValue) AND state = 'running' RETURNING id
                """).compactMap(TaskID.init(rawValue:)))
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
                let task = found.abandoned()
                try await db.update(task, in: "jobTask")
                requeued.append(task)
            }
            if !requeued.isEmpty { try await db.notifyWork() }
            return requeued
        }
    }

    func tasksToStop(owner: LeaseOwner) async throws -> [TaskID] {
        try await reading { db in
            try await db.column(String.self, """
                SELECT t.id FROM "jobTask" t JOIN job j ON j.id = t."jobId"
                WHERE t."leaseOwner" = \(owner.rawValue) AND t.state = 'running'
                  AND (j."cancelRequested" OR j.state NOT IN ('queued', 'running'))
                """).compactMap(TaskID.init(rawValue:))
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

    func setWarnings(jobID: String, warnings: [TrackWarning]) async throws {
        try await transaction { db in
            guard var job = try await Self.lockJob(jobID, db) else { return }
            job.warnings = warnings
            try await db.update(job, in: "job")
        }
    }

    /// Ends the job that made a title, inside the publishing transaction.
    static func end(_ jobID: String, as state: Job.State, mediaId: String, _ db: PostgresConnection) async throws {
        var snapshot = try await snapshot(of: jobID, db)
        snapshot.end(as: state, error: nil, mediaId: mediaId, at: Date())
        try await save(snapshot, db)
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
