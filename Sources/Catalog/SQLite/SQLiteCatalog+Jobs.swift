import Foundation
import VaultLayout
import GRDB

extension SQLiteCatalog: SnapshotStore {
    /// Reads job `id` and its tasks in one write transaction, applies `transition` (the
    /// queue's rules, `JobSnapshot`) and saves what it changed.
    func change<T: Sendable>(job id: String, _ transition: @escaping @Sendable (inout JobSnapshot) -> T) async throws -> T {
        let (result, wake) = try await pool.write { db in
            var snapshot = try Self.snapshot(of: id, in: db)
            let result = transition(&snapshot)
            try Self.save(snapshot, in: db)
            return (result, snapshot.wakesWorkers)
        }
        if wake { doorbell.ring() }
        return result
    }

    static func snapshot(of jobID: String, in db: Database) throws -> JobSnapshot {
        guard let job = try Job.fetchOne(db, key: jobID) else { return JobSnapshot(job: nil, tasks: []) }
        return JobSnapshot(job: job, tasks: try tasks(of: jobID, in: db))
    }

    /// Writes the rows a transition made or changed.
    static func save(_ snapshot: JobSnapshot, in db: Database) throws {
        if let job = snapshot.job {
            if snapshot.jobIsNew { try job.insert(db) } else if snapshot.jobChanged { try job.update(db) }
        }
        for id in snapshot.newTasks { try snapshot.task(id)?.insert(db) }
        for id in snapshot.changedTasks { try snapshot.task(id)?.update(db) }
        try announce(snapshot, in: db)
    }

    private static func tasks(of jobID: String, in db: Database) throws -> [JobTask] {
        try JobTask.filter(Column("jobId") == jobID).order(Column("priority"), Column("number")).fetchAll(db)
    }

    func enqueue(_ job: Job) async throws {
        try await pool.write { db in try Self.save(JobSnapshot(enqueuing: job), in: db) }
        doorbell.ring()
    }

    func claimNextTask(owner: LeaseOwner, node: String, lease: Duration, kinds: Set<JobTask.Kind>? = nil) async throws -> JobTask? {
        try await pool.write { db in
            let now = Date()
            let allowed = (kinds ?? Set(JobTask.Kind.allCases)).map { "'\($0.rawValue)'" }.sorted().joined(separator: ", ")
            guard !allowed.isEmpty, let found = try JobTask.fetchOne(db, sql: """
                SELECT jobTask.* FROM jobTask JOIN job ON job.id = jobTask.jobId
                WHERE jobTask.state = 'queued' AND (jobTask.notBefore IS NULL OR jobTask.notBefore <= ?)
                  AND jobTask.kind IN (\(allowed))
                  AND job.state IN ('queued', 'running') AND NOT job.cancelRequested
                ORDER BY jobTask.priority, job.createdAt, jobTask.number LIMIT 1
                """, arguments: [now]) else { return nil }
            var snapshot = JobSnapshot(job: try Job.fetchOne(db, key: found.jobId), tasks: [found])
            snapshot.claim(found.id, owner: owner, node: node, lease: lease, at: now)
            try Self.save(snapshot, in: db)
            return snapshot.task(found.id)
        }
    }

    func renewLeases(_ ids: Set<TaskID>, owner: LeaseOwner, lease: Duration) async throws -> Set<TaskID> {
        try await pool.write { db in
            let held = JobTask.filter(ids.map(\.rawValue).contains(Column("id")) && Column("leaseOwner") == owner.rawValue
                && Column("state") == JobTask.State.running.rawValue)
            _ = try held.updateAll(db, Column("leaseExpiresAt").set(to: Date().addingTimeInterval(lease.seconds)))
            return Set(try String.fetchAll(db, held.select(Column("id"))).compactMap(TaskID.init(rawValue:)))
        }
    }

    func requeueAbandonedTasks() async throws -> [JobTask] {
        let requeued = try await pool.write { db in
            try JobTask.filter(Column("state") == JobTask.State.running.rawValue && Column("leaseExpiresAt") < Date())
                .fetchAll(db).map { found in
                    let task = found.abandoned()
                    try task.update(db)
                    return task
                }
        }
        if !requeued.isEmpty { doorbell.ring() }
        return requeued
    }

    func tasksToStop(owner: LeaseOwner) async throws -> [TaskID] {
        try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT jobTask.id FROM jobTask JOIN job ON job.id = jobTask.jobId
                WHERE jobTask.leaseOwner = ? AND jobTask.state = 'running'
                  AND (job.cancelRequested OR job.state NOT IN ('queued', 'running'))
                """, arguments: [owner.rawValue]).compactMap(TaskID.init(rawValue:))
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

    func setWarnings(jobID: String, warnings: [TrackWarning]) async throws {
        try await pool.write { db in
            guard var job = try Job.fetchOne(db, key: jobID) else { return }
            job.warnings = warnings
            try job.update(db)
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
