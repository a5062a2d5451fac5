import Foundation
import Glibc
import VaultLayout
import NIOConcurrencyHelpers

/// A worker child process of the same binary (`streamvault worker --assignment JSON`), started by
/// the daemon. Its stdout carries `WorkerMessage` lines; its stderr goes to a log in the
/// job's work folder. It holds the write end of the child's stdin, whose first line is the
/// title's key in hex (empty for a title without one): when the daemon dies, the child
/// reads end-of-file and stops (so children die with the daemon).
final class WorkerProcess: @unchecked Sendable {
    private let process = Process()
    private let stdin = Pipe()
    private let stdout = Pipe()
    let messages: AsyncStream<WorkerMessage>
    /// The child's exit once known, or who waits for it: told by Foundation's own watch of
    /// its children (its `waitUntilExit` would spin a core on Linux, polling a run loop with
    /// no source).
    private let exit = NIOLockedValueBox<(known: Exit?, waiter: CheckedContinuation<Exit, Never>?)>((nil, nil))
    private let heard = NIOLockedValueBox(ContinuousClock.now)

    /// How a child ended: its exit status, or for one killed by a signal, that signal.
    struct Exit: Sendable {
        let status: Int32
        let signal: Int32?
    }

    /// When the child last wrote a whole message line, whether or not the daemon has dealt
    /// with it yet (a daemon waiting for its catalog must not take its worker for stalled).
    var lastHeard: ContinuousClock.Instant { heard.withLockedValue { $0 } }

    /// Starts `executable worker --root ROOT --assignment JSON --concurrent-tasks N`.
    init(executable: URL, root: URL, assignment: WorkerAssignment, key: TitleKey?, concurrentTasks: Int, log: URL) throws {
        process.executableURL = executable
        process.arguments = ["worker", "--root", root.path, "--assignment", String(decoding: try JSONEncoder().encode(assignment), as: UTF8.self),
                             "--concurrent-tasks", String(concurrentTasks)]
        process.standardInput = stdin
        process.standardOutput = stdout
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.standardError = try FileHandle(forWritingTo: log)
        let (stream, continuation) = AsyncStream.makeStream(of: WorkerMessage.self)
        messages = stream
        let exit = exit
        process.terminationHandler = { process in
            let signaled = process.terminationReason == .uncaughtSignal
            let ended = Exit(status: process.terminationStatus, signal: signaled ? process.terminationStatus : nil)
            let waiter = exit.withLockedValue { state -> CheckedContinuation<Exit, Never>? in
                state.known = ended
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume(returning: ended)
        }
        let reading = stdout.fileHandleForReading
        try process.run()
        try stdin.fileHandleForWriting.write(contentsOf: Data(((key?.hex ?? "") + "\n").utf8))
        let heard = heard
        Thread {
            var reader = WorkerChannel.Reader()
            while true {
                let chunk = reading.availableData
                if chunk.isEmpty { break }
                let messages = reader.read(chunk)
                if !messages.isEmpty { heard.withLockedValue { $0 = .now } }
                for message in messages { continuation.yield(message) }
            }
            continuation.finish()
        }.start()
    }

    var pid: Int32 { process.processIdentifier }

    /// Asks the child to stop (SIGTERM): it removes its partial output and exits.
    func terminate() { if process.isRunning { process.terminate() } }

    /// Stops the child at once (SIGKILL): for one that does not answer any more. A child
    /// already reaped is not signalled (its pid may be reused).
    func kill() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
    }

    /// The child's resident memory in bytes (`VmRSS` of `/proc/<pid>/status`), nil once it is gone.
    var residentBytes: Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else { return nil }
        return kilobytes * 1024
    }

    /// How the child ended, once it has (a cancelled caller waits all the same: the child's
    /// end is what it records). Waited for once.
    func waitForExit() async -> Exit {
        await withCheckedContinuation { continuation in
            let known = exit.withLockedValue { state -> Exit? in
                if state.known == nil { state.waiter = continuation }
                return state.known
            }
            if let known { continuation.resume(returning: known) }
        }
    }
}
