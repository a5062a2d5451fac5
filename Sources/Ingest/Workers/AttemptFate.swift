import Catalog
import Glibc

/// What the daemon makes of a task's attempt once its worker process has ended: a pure
/// function of what it knows then, so every combination is tested on its own.
public enum AttemptFate: Equatable, Sendable {
    /// The task did its work: record what the closing message says.
    case done(WorkerMessage)
    /// The catalog cannot be read: nothing can be recorded (nor anything removed); the
    /// task's lease runs out and a daemon takes it over once the catalog is back.
    case unrecorded
    /// The job ended meanwhile (failed, duplicate, cancelled elsewhere): nothing to record.
    case jobEnded
    /// The job's cancel was asked.
    case cancelled
    /// The daemon is stopping and stopped the worker: the task goes back to the queue.
    case requeued
    /// The attempt failed in a way a retry may mend.
    case retry(String)
    /// The input cannot be packaged: the job fails for good.
    case fail(String)

    /// - Parameters:
    ///   - kind: the task's kind (which closing message it owes).
    ///   - status/signal: how the worker process ended.
    ///   - last: its last message other than progress, if any.
    ///   - jobState: the job's state now; nil when the catalog could not say.
    ///   - watchdog: why the daemon's watchdog killed the worker (it stalled, or used too
    ///     much memory), if it did.
    ///   - source: the file's name, for errors that must name it.
    public static func decide(kind: JobTask.Kind, status: Int32, signal: Int32?, last: WorkerMessage?,
                              jobState: Job.State?, cancelRequested: Bool, stopping: Bool, watchdog: String? = nil,
                              source: String) -> AttemptFate {
        guard let jobState else { return .unrecorded }
        if jobState.isFinal { return .jobEnded }
        if signal == nil, status == WorkerExit.success {
            if let last, closes(kind, last) { return .done(last) }
            return .retry("\(source): the worker ended without saying it was done")
        }
        if cancelRequested { return .cancelled }
        if stopping, status == WorkerExit.interrupted || signal == SIGTERM { return .requeued }
        if let watchdog { return .retry("\(source): \(watchdog)") }
        let said: String? = if case let .failed(text) = last { text } else { nil }
        if let signal {
            return .retry("\(source): the worker was killed by \(name(ofSignal: signal))" + (signal == SIGKILL ? " (out of memory?)" : ""))
        }
        switch status {
        case WorkerExit.permanentFailure: return .fail(said ?? "\(source): failed")
        default: return .retry(said ?? "\(source): the worker exited with status \(status)")
        }
    }

    /// Whether `message` is the one a task of `kind` ends with.
    static func closes(_ kind: JobTask.Kind, _ message: WorkerMessage) -> Bool {
        switch (kind, message) {
        case (.plan, .planned), (.chunk, .chunkDone), (.tracks, .tracksDone), (.finish, .finished): true
        default: false
        }
    }

    static func name(ofSignal signal: Int32) -> String {
        let names: [Int32: String] = [SIGSEGV: "SIGSEGV", SIGKILL: "SIGKILL", SIGABRT: "SIGABRT", SIGBUS: "SIGBUS",
                                      SIGTERM: "SIGTERM", SIGILL: "SIGILL", SIGFPE: "SIGFPE", SIGINT: "SIGINT"]
        return "signal \(signal)" + (names[signal].map { " (\($0))" } ?? "")
    }
}
