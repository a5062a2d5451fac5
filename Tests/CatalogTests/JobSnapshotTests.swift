@testable import Catalog
import Foundation
import Testing

/// The queue's transitions as pure functions of a job and its tasks (no store involved):
/// what each changes, and what it refuses.
@Suite struct JobSnapshotTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let me: LeaseOwner = "me"

    /// A job whose plan `me` holds.
    func claimed() -> (JobSnapshot, TaskID) {
        let job = Job(source: "a.mp4", origin: .ingest, preset: "default", maxAttempts: 3)
        var snapshot = JobSnapshot(enqueuing: job)
        let plan = snapshot.tasks[0].id
        snapshot = JobSnapshot(job: snapshot.job, tasks: snapshot.tasks)
        snapshot.claim(plan, owner: me, node: "n1", lease: .seconds(30), at: now)
        return (snapshot, plan)
    }

    /// A running job with two chunks, tracks and a waiting finish, all queued; the plan done.
    func planned() -> JobSnapshot {
        var (snapshot, plan) = claimed()
        let id = snapshot.job!.id
        snapshot.plan([JobTask(jobId: id, kind: .chunk, number: 0, start: 0, end: 6), JobTask(jobId: id, kind: .chunk, number: 1, start: 6, end: 12),
                       JobTask(jobId: id, kind: .tracks), JobTask(jobId: id, kind: .finish, state: .waiting)])
        snapshot.complete(plan, segments: 0, owner: me)
        return JobSnapshot(job: snapshot.job, tasks: snapshot.tasks)
    }

    @Test func aJobIsQueuedWithItsPlan() {
        let snapshot = JobSnapshot(enqueuing: Job(source: "a.mp4", origin: .submit, preset: "default", maxAttempts: 3))
        #expect(snapshot.jobIsNew && snapshot.wakesWorkers)
        #expect(snapshot.tasks.map(\.kind) == [.plan] && snapshot.newTasks == [snapshot.tasks[0].id])
        #expect(snapshot.job?.state == .queued && snapshot.job?.stage == .queued)
    }

    @Test func aClaimStartsTheTaskAndItsJob() {
        let (snapshot, plan) = claimed()
        let task = snapshot.task(plan)!
        #expect(task.state == .running && task.attempts == 1 && task.node == "n1" && task.leaseOwner == me)
        #expect(task.leaseExpiresAt == now.addingTimeInterval(30))
        #expect(snapshot.job?.state == .running && snapshot.job?.stage == .planning && snapshot.job?.startedAt == now)
        #expect(snapshot.job?.attempts == 1 && snapshot.jobChanged && snapshot.changedTasks == [plan])
    }

    /// The stores claim on a snapshot of the job and the claimed task alone: the outcome
    /// for that job and task is the one a snapshot of every task gives.
    @Test func aClaimNeedsOnlyItsJobAndTask() {
        var whole = planned()
        let chunk = whole.tasks.first { $0.kind == .chunk }!
        var alone = JobSnapshot(job: whole.job, tasks: [chunk])
        whole.claim(chunk.id, owner: me, node: "n1", lease: .seconds(30), at: now)
        alone.claim(chunk.id, owner: me, node: "n1", lease: .seconds(30), at: now)
        #expect(alone.job == whole.job && alone.task(chunk.id) == whole.task(chunk.id))
        #expect(alone.changedTasks == [chunk.id] && whole.changedTasks == [chunk.id] && alone.jobChanged == whole.jobChanged)
    }

    @Test func progressIsRecordedOnlyForTheTasksOwner() {
        var snapshot = planned()
        let chunk = snapshot.tasks.first { $0.kind == .chunk }!.id
        snapshot.claim(chunk, owner: me, node: "n1", lease: .seconds(30), at: now)
        var other = snapshot
        let byAnother = other.record(progress: 0.5, segments: 3, speed: 2, of: chunk, owner: "someone else")
        #expect(!byAnother)
        #expect(other == snapshot)
        let recorded = snapshot.record(progress: 1.5, segments: 3, speed: 2, of: chunk, owner: me)
        #expect(recorded)
        let recordedAgain = snapshot.record(progress: 0.2, segments: 1, speed: 0, of: chunk, owner: me)
        #expect(recordedAgain)
        let task = snapshot.task(chunk)!
        #expect(task.progress == 0.2 && task.segments == 3)  // segments never go back
        #expect(snapshot.job?.stage == .packaging && snapshot.job?.speed == 2 && (snapshot.job?.progress ?? 0) > 0)
    }

    @Test func aPlanMadeTwiceAddsNothing() {
        var snapshot = planned()
        let count = snapshot.tasks.count
        snapshot.plan([JobTask(jobId: snapshot.job!.id, kind: .chunk, number: 0)])
        #expect(snapshot.tasks.count == count && snapshot.newTasks.isEmpty && snapshot.job?.stage == .packaging)
    }

    @Test func theFinishIsQueuedWhenEveryChunkAndTheTracksAreDone() {
        var snapshot = planned()
        let work = snapshot.tasks.filter { $0.kind == .chunk || $0.kind == .tracks }.map(\.id)
        for id in work { snapshot.claim(id, owner: me, node: "n1", lease: .seconds(30), at: now) }
        let byAnother = snapshot.complete(work[0], segments: 2, owner: "someone else")
        #expect(!byAnother)
        for id in work.dropLast() {
            let completed = snapshot.complete(id, segments: 2, owner: me)
        #expect(completed)
            #expect(snapshot.tasks.first { $0.kind == .finish }?.state == .waiting && !snapshot.wakesWorkers)
        }
        let completedLast = snapshot.complete(work.last!, segments: 2, owner: me)
        #expect(completedLast)
        #expect(snapshot.tasks.first { $0.kind == .finish }?.state == .queued && snapshot.wakesWorkers)
        #expect(snapshot.job?.stage == .finishing && snapshot.task(work[0])?.leaseOwner == nil)
    }

    @Test func aFailedAttemptWaitsForItsRetry() {
        var (snapshot, plan) = claimed()
        let later = now.addingTimeInterval(10)
        let byAnother = snapshot.retry(plan, error: "x", notBefore: later, owner: "someone else")
        #expect(!byAnother)
        let retried = snapshot.retry(plan, error: "a.mp4: disk full", notBefore: later, owner: me)
        #expect(retried)
        let task = snapshot.task(plan)!
        #expect(task.state == .queued && task.notBefore == later && task.error == "a.mp4: disk full" && task.leaseOwner == nil)
        #expect(snapshot.job?.stage == .waitingToRetry && snapshot.job?.error == "a.mp4: disk full")
    }

    @Test func aReleasedPlanPutsItsJobBackInTheQueue() {
        var (snapshot, plan) = claimed()
        let released = snapshot.release(plan, owner: me)
        #expect(released)
        #expect(snapshot.task(plan)?.state == .queued && snapshot.task(plan)?.attempts == 0)
        #expect(snapshot.job?.state == .queued && snapshot.job?.stage == .requeued && snapshot.wakesWorkers)
    }

    @Test func aTaskReleasedAfterItsJobEndedIsCancelled() {
        var snapshot = planned()
        let chunk = snapshot.tasks.first { $0.kind == .chunk }!.id
        snapshot.claim(chunk, owner: me, node: "n1", lease: .seconds(30), at: now)
        snapshot.end(as: .failed, error: "broken", mediaId: nil, at: now)
        #expect(snapshot.task(chunk)?.state == .running)  // a running task is left to its daemon
        #expect(snapshot.tasks.filter { $0.id != chunk && $0.kind != .plan }.allSatisfy { $0.state == .cancelled })
        #expect(snapshot.job?.state == .failed && snapshot.job?.stage == .failed && snapshot.job?.finishedAt == now)
        #expect(snapshot.release(chunk, owner: me) && snapshot.task(chunk)?.state == .cancelled)
        #expect(snapshot.task(chunk)?.leaseOwner == nil && snapshot.job?.state == .failed)
    }

    @Test func aCancelEndsAJobAtOnceOnlyWhenNoTaskRuns() {
        var (running, _) = claimed()
        running.cancel(at: now)
        #expect(running.job?.state == .running && running.job?.cancelRequested == true)
        var idle = planned()
        idle.cancel(at: now)
        #expect(idle.job?.state == .cancelled && idle.job?.stage == .cancelled && idle.job?.error == "cancelled")
        #expect(idle.tasks.filter { $0.kind != .plan }.allSatisfy { $0.state == .cancelled })
        var ended = idle
        ended.cancel(at: now.addingTimeInterval(5))
        #expect(ended.job == idle.job)
    }

    @Test func aSucceededJobIsComplete() {
        var snapshot = planned()
        snapshot.end(as: .succeeded, error: nil, mediaId: "title", at: now)
        #expect(snapshot.job?.stage == .done && snapshot.job?.progress == 1 && snapshot.job?.mediaId == "title")
    }

    @Test func aTaskWhoseLeaseExpiredIsQueuedAgain() {
        let (snapshot, plan) = claimed()
        let task = snapshot.task(plan)!.abandoned()
        #expect(task.state == .queued && task.leaseOwner == nil && task.leaseExpiresAt == nil && task.attempts == 1)
    }

    @Test func idsAndOwnersAreStoredAsTheirText() throws {
        let id = TaskID(jobID: "wcj3", kind: .chunk, number: 2)
        #expect(id.rawValue == "wcj3:chunk:2" && TaskID(rawValue: "wcj3:chunk:2") == id)
        for bad in ["", "wcj3", "wcj3:chunk", "wcj3:frame:1", "wcj3:chunk:-1", ":plan:0", "a:plan:0:1"] { #expect(TaskID(rawValue: bad) == nil) }
        #expect(String(decoding: try JSONEncoder().encode([id]), as: UTF8.self) == #"["wcj3:chunk:2"]"#)
        let owner = try #require(LeaseOwner(rawValue: "vm:4242:ab12cd"))
        #expect(owner.host == "vm" && owner.pid == 4242 && owner.nonce == "ab12cd" && owner.rawValue == "vm:4242:ab12cd")
        #expect(LeaseOwner(rawValue: "vm:pid:ab") == nil && LeaseOwner(rawValue: "vm:1") == nil)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([TaskID].self, from: Data(#"["nope"]"#.utf8)) }
    }
}
