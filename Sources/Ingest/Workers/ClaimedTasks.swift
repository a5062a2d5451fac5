import Catalog
import Foundation

/// The tasks a daemon has claimed and not yet recorded, each with its slot, its worker
/// process once started, and why the watchdog killed it, if it did: the
/// one record the claim loop, the lease keeper, the watchdog and the recorder share. Its
/// leases are the ones the daemon renews: a task whose outcome could not be recorded
/// leaves it, so its lease expires and another daemon takes it over.
actor ClaimedTasks {
    struct Entry {
        let task: JobTask
        /// Whether it took a light slot (plan, tracks, finish beside the chunks).
        let light: Bool
        var process: WorkerProcess?
        /// Why the watchdog killed its worker, if it did.
        var killedBecause: String?
    }

    private var entries: [TaskID: Entry] = [:]
    /// No new claims: the daemon is stopping.
    private(set) var stopping = false

    var ids: Set<TaskID> { Set(entries.keys) }
    var lightSlotsInUse: Int { entries.values.filter(\.light).count }
    var workerSlotsInUse: Int { entries.values.filter { !$0.light }.count }
    /// Tasks whose worker runs now.
    var runningCount: Int { entries.values.filter { $0.process != nil }.count }
    var isEmpty: Bool { entries.isEmpty }
    /// Until the daemon stops and its last task has been recorded.
    var isInUse: Bool { !stopping || !entries.isEmpty }

    func add(_ task: JobTask, light: Bool) { entries[task.id] = Entry(task: task, light: light) }
    func remove(_ id: TaskID) { entries[id] = nil }

    func started(_ id: TaskID, _ process: WorkerProcess) { entries[id]?.process = process }

    /// Its worker ended; returns why the watchdog killed it, if it did.
    func exited(_ id: TaskID) -> String? {
        entries[id]?.process = nil
        return entries[id]?.killedBecause
    }

    /// Workers running now that the watchdog has not killed yet.
    func watched() -> [(id: TaskID, process: WorkerProcess)] {
        entries.compactMap { id, entry in entry.killedBecause == nil ? entry.process.map { (id, $0) } : nil }
    }

    /// Kills a worker (SIGKILL) and notes why, for the attempt's record; only once (the
    /// first reason is the one recorded).
    func kill(_ id: TaskID, because reason: String) {
        guard let process = entries[id]?.process, entries[id]?.killedBecause == nil else { return }
        entries[id]?.killedBecause = reason
        process.kill()
    }

    /// Asks a task's worker to stop (SIGTERM).
    func terminate(_ id: TaskID) { entries[id]?.process?.terminate() }

    /// Asks every worker of job `jobID` to stop.
    func terminate(job jobID: String) {
        for entry in entries.values where entry.task.jobId == jobID { entry.process?.terminate() }
    }

    func terminateAll() {
        for entry in entries.values { entry.process?.terminate() }
    }

    /// No new claims from now on; running workers are asked to stop.
    func stop() {
        stopping = true
        terminateAll()
    }
}
