import Foundation

/// A job and all its tasks as one store transaction read them (rows locked where the
/// engine locks), and the queue's state machine (SPEC §9–10) as pure transitions on them.
/// A store only fetches a snapshot, applies one transition and saves what it changed: the
/// rules live here once, whatever the engine.
public struct JobSnapshot: Sendable, Equatable {
    /// Nil when no such job is recorded (its tasks are then empty).
    public private(set) var job: Job?
    /// Plan first, then by priority and number.
    public private(set) var tasks: [JobTask]
    /// Whether the job row is new (to insert) or changed (to update).
    public private(set) var jobIsNew = false
    public private(set) var jobChanged = false
    /// Tasks to insert, in order, and tasks to update.
    public private(set) var newTasks: [TaskID] = []
    public private(set) var changedTasks: Set<TaskID> = []
    /// Whether idle workers should look for work once this is saved (a task became claimable).
    public private(set) var wakesWorkers = false
    /// Whether this transition ended the job (it had not ended before).
    public private(set) var endedNow = false

    public init(job: Job?, tasks: [JobTask]) {
        self.job = job
        self.tasks = tasks
    }

    /// A job just submitted, queued with its first task, the plan.
    public init(enqueuing job: Job) {
        self.init(job: job, tasks: [JobTask(jobId: job.id, kind: .plan)])
        jobIsNew = true
        newTasks = [tasks[0].id]
        wakesWorkers = true
    }

    public func task(_ id: TaskID) -> JobTask? { tasks.first { $0.id == id } }

    // MARK: Transitions

    /// `owner` takes task `id` on `node` under a lease until `now + lease`; its job starts
    /// (if it had not) and counts the attempt. It reads no other task, so a store may give
    /// it a snapshot of the job and that task alone.
    public mutating func claim(_ id: TaskID, owner: LeaseOwner, node: String, lease: Duration, at now: Date) {
        changeTask(id) { $0.claim(owner: owner, node: node, lease: lease, at: now) }
        guard let attempts = task(id)?.attempts else { return }
        changeJob { job in
            job.start(at: now)
            job.attempts = max(job.attempts, attempts)
        }
    }

    /// A running task's progress (0…1, clamped) and, when it made segments available, how
    /// many from the title's first; the job's stage, progress and speed follow. False when
    /// `owner` no longer holds it.
    @discardableResult
    public mutating func record(progress: Double, segments: Int?, speed: Double, of id: TaskID, owner: LeaseOwner) -> Bool {
        guard let held = task(id), held.isHeld(by: owner) else { return false }
        changeTask(id) { task in
            task.progress = min(1, max(0, progress))
            if let segments { task.segments = max(task.segments, segments) }
        }
        let progress = tasks.jobProgress
        changeRunningJob { job in
            job.stage = held.kind.stage
            job.progress = progress
            if speed > 0 { job.speed = speed }
        }
        return true
    }

    /// The plan is made: its chunks, tracks and finish become the job's tasks (those not
    /// recorded already: a plan made twice adds nothing).
    public mutating func plan(_ planned: [JobTask]) {
        guard job != nil else { return }
        for task in planned where self.task(task.id) == nil {
            tasks.append(task)
            newTasks.append(task.id)
        }
        changeRunningJob { $0.stage = .packaging }
        wakesWorkers = true
    }

    /// A task is done with `segments` available; once every chunk and the tracks are, the
    /// finish is queued. False when `owner` no longer held it (its lease was taken over).
    @discardableResult
    public mutating func complete(_ id: TaskID, segments: Int, owner: LeaseOwner) -> Bool {
        guard let held = task(id), held.isHeld(by: owner) else { return false }
        changeTask(id) { $0.complete(segments: segments) }
        let ready = tasks.readyToFinish
        if ready, let finish = tasks.first(where: { $0.kind == .finish && $0.state == .waiting }) {
            changeTask(finish.id) { $0.state = .queued }
            wakesWorkers = true
        }
        let progress = tasks.jobProgress
        changeRunningJob { job in
            job.progress = progress
            if ready, held.kind != .finish { job.stage = .finishing }
        }
        return true
    }

    /// A failed attempt goes back in the queue, not before `notBefore`.
    @discardableResult
    public mutating func retry(_ id: TaskID, error: String, notBefore: Date, owner: LeaseOwner) -> Bool {
        guard task(id)?.isHeld(by: owner) == true else { return false }
        changeTask(id) { $0.retry(after: error, notBefore: notBefore) }
        changeRunningJob { job in
            job.error = error
            job.stage = .waitingToRetry
        }
        return true
    }

    /// A running task goes back in the queue without counting its attempt (its daemon is
    /// stopping, or died on this host); a task whose job has ended (or is not recorded) is
    /// cancelled instead, so no task of an ended job stays running. A plan put back puts its
    /// job back in the queue too.
    @discardableResult
    public mutating func release(_ id: TaskID, owner: LeaseOwner) -> Bool {
        guard let held = task(id), held.isHeld(by: owner) else { return false }
        let ended = job?.state.isFinal ?? true
        changeTask(id) { ended ? $0.cancel() : $0.release() }
        if held.kind == .plan {
            changeRunningJob { job in
                job.state = .queued
                job.stage = .requeued
            }
        }
        wakesWorkers = true
        return true
    }

    /// Ends the job for good (`Job.end`); its tasks not done or running are cancelled.
    public mutating func end(as final: Job.State, error: String?, mediaId: String?, at now: Date) {
        guard let job else { return }
        if !job.state.isFinal, final.isFinal { endedNow = true }
        changeJob { $0.end(as: final, error: error, mediaId: mediaId, at: now) }
        for task in tasks where [.waiting, .queued].contains(task.state) { changeTask(task.id) { $0.cancel() } }
    }

    /// A cancel asked: a job not started yet, or running with no task running, is
    /// cancelled at once; otherwise it is asked to stop (the daemons running its tasks stop
    /// them and end it). A job that has ended stays as it is.
    public mutating func cancel(at now: Date) {
        guard let job, !job.state.isFinal else { return }
        if tasks.contains(where: { $0.state == .running }) {
            changeJob { $0.cancelRequested = true }
        } else {
            end(as: .cancelled, error: "cancelled", mediaId: nil, at: now)
        }
    }

    // MARK: Bookkeeping

    private mutating func changeTask(_ id: TaskID, _ change: (inout JobTask) -> Void) {
        guard let index = tasks.firstIndex(where: { $0.id == id }) else { return }
        change(&tasks[index])
        if !newTasks.contains(id) { changedTasks.insert(id) }
    }

    private mutating func changeJob(_ change: (inout Job) -> Void) {
        guard job != nil else { return }
        change(&job!)
        jobChanged = true
    }

    /// Changes the job only while it runs (an ended job keeps what it ended with).
    private mutating func changeRunningJob(_ change: (inout Job) -> Void) {
        guard job?.state == .running else { return }
        changeJob(change)
    }
}

extension JobTask {
    /// Back in the queue because its lease expired (its daemon died or lost the catalog):
    /// the transition for tasks whose owner is gone, applied across jobs.
    public func abandoned() -> JobTask {
        var task = self
        task.abandon()
        return task
    }
}
