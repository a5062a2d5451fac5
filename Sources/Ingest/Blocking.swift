import Foundation
import NIOPosix

/// Where the daemon's blocking work runs — file system calls, `flock`, starting a process,
/// reading `/proc`, the ingest scan and its renames: a small pool of threads of its own,
/// never an actor's executor nor Swift's cooperative pool (whose few threads the HTTP server
/// and the catalog need), and not the pool the HTTP server reads files on.
public enum Blocking {
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: 4)
        pool.start()
        return pool
    }()

    /// Runs `work` on a pool thread and returns (or throws) what it did.
    public static func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(work)
    }

    /// Removes a file or folder, if it is there.
    public static func removeIfPresent(_ url: URL) async throws {
        try await run {
            guard FileManager.default.fileExists(atPath: url.path) else { return }
            try FileManager.default.removeItem(at: url)
        }
    }
}
