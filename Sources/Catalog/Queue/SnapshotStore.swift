import Foundation

/// A store whose changes to a job go through `JobSnapshot`: it supplies `change` (read the
/// job and its tasks in one transaction, under the engine's locks; apply; save what
/// changed; wake the workers if it queued work) and gets the queue's operations from here.
protocol SnapshotStore: CatalogStore {
    @discardableResult
    func change<T: Sendable>(job id: String, _ transition: @escaping @Sendable (inout JobSnapshot) -> T) async throws -> T
}

extension SnapshotStore {
    func recordProgress(of id: TaskID, owner: LeaseOwner, progress: Double, segments: Int?, speed: Double) async throws {
        try await change(job: id.jobID) { $0.record(progress: progress, segments: segments, speed: speed, of: id, owner: owner) }
    }

    func planned(jobID: String, tasks: [JobTask]) async throws {
        try await change(job: jobID) { $0.plan(tasks) }
    }

    func completeTask(_ id: TaskID, owner: LeaseOwner, segments: Int) async throws -> Bool {
        try await change(job: id.jobID) { $0.complete(id, segments: segments, owner: owner) }
    }

    func retryTask(_ id: TaskID, owner: LeaseOwner, error: String, notBefore: Date) async throws {
        try await change(job: id.jobID) { $0.retry(id, error: error, notBefore: notBefore, owner: owner) }
    }

    func releaseTask(_ id: TaskID, owner: LeaseOwner) async throws {
        try await change(job: id.jobID) { $0.release(id, owner: owner) }
    }

    func finishJob(id: String, state: Job.State, error: String?, mediaId: String?) async throws {
        try await change(job: id) { $0.end(as: state, error: error, mediaId: mediaId, at: Date()) }
    }

    func cancelJob(id: String) async throws -> Job? {
        try await change(job: id) { snapshot in
            snapshot.cancel(at: Date())
            return snapshot.job
        }
    }
}
