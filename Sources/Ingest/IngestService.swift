import Catalog
import Foundation
import Glibc
import Logging
import ServiceLifecycle

/// Watches `ingest/` (inotify, plus a rescan every second for missed events) and turns
/// each settled candidate into a queued job — at once for a name renamed into `ingest/`
/// (`mv`, or a client's hidden temporary file renamed when whole), else once its size and
/// time have not changed for the settle time: its files are renamed out of `ingest/` into
/// the job's own `work/<job>/input/` (a rename either happens once or not at all, so two
/// daemons on one vault never take one file twice), then the job is recorded.
public struct IngestService: Service, CustomStringConvertible {
    let vault: Vault
    let catalog: any CatalogStore
    let preset: String
    let maxAttempts: Int
    let settle: Duration
    let logger: Logger

    public init(vault: Vault, catalog: any CatalogStore, preset: String, maxAttempts: Int, settle: Duration, logger: Logger) {
        self.vault = vault
        self.catalog = catalog
        self.preset = preset
        self.maxAttempts = maxAttempts
        self.settle = settle
        self.logger = logger
    }

    public func run() async throws {
        let watcher = try FolderWatcher(folder: vault.ingest)
        var tracker = SettleTracker(settle: settle)
        let ticks = AsyncStream<Void> { continuation in
            let task = Task {
                while !Task.isCancelled {
                    continuation.yield()
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                let (wakeups, wake) = AsyncStream.makeStream(of: Set<String>.self)
                group.addTask { for await names in watcher.changes { wake.yield(names) } }
                group.addTask { for await _ in ticks { wake.yield([]) } }
                var refused = Set<String>()
                var pausedUntil = ContinuousClock.now
                for await movedIn in wakeups {
                    if Task.isShuttingDownGracefully || Task.isCancelled { break }
                    tracker.arrivedWhole(movedIn)
                    guard ContinuousClock.now >= pausedUntil else { continue }
                    for (name, kind) in IngestCandidate.irregular(vault.ingest) where refused.insert(name).inserted {
                        logger.warning("ingest/\(name) is \(kind.rawValue), not a regular file: left where it is")
                    }
                    for candidate in tracker.settled(IngestCandidate.scan(vault.ingest)) {
                        switch await take(candidate) {
                        case .crossDevice where refused.insert(candidate.name).inserted:
                            logger.error("cannot take \(candidate.name): ingest/ and work/ must be on one file system")
                        case .unrecorded:
                            pausedUntil = ContinuousClock.now + .seconds(5)  // the catalog is away: try again later
                        default:
                            continue
                        }
                        break
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {}
    }

    public var description: String { "IngestService(\(vault.ingest.path))" }

    enum Claim { case taken, gone, crossDevice, unrecorded }

    /// Claims `candidate` for a new job; another daemon may have taken it first.
    @discardableResult
    func take(_ candidate: IngestCandidate) async -> Claim {
        let files = FileManager.default
        let job = Job(source: candidate.name, origin: .ingest, preset: preset, maxAttempts: maxAttempts)
        let input = vault.input(job: job.id)
        // rename(2) moves the file only if it is still there: of two daemons, one wins. A
        // name that is not UTF-8 arrives under its escaped name, the original bytes recorded.
        func bytes(_ name: String) -> [UInt8] { candidate.originalNames[name] ?? Array(name.utf8) }
        let claimed = (try? files.createDirectory(at: input, withIntermediateDirectories: true)) != nil
            && RawName.rename(bytes(candidate.name), in: vault.ingest, to: Array(candidate.name.utf8), in: input)
        guard claimed else {
            let crossDevice = errno == EXDEV
            try? files.removeItem(at: vault.work(job: job.id))
            return crossDevice ? .crossDevice : .gone  // gone: another daemon took it, or the user removed it
        }
        for sidecar in candidate.entries.dropFirst() {
            _ = RawName.rename(bytes(sidecar), in: vault.ingest, to: Array(sidecar.utf8), in: input)
        }
        // Inside a bundle folder too.
        var originals = candidate.originalNames
        for entry in candidate.entries {
            originals.merge(RawName.escapeNames(below: input.appendingPathComponent(entry), prefix: entry + "/")) { first, _ in first }
        }
        try? RawName.remember(originals, in: input)
        do {
            try await catalog.enqueue(job)
            logger.notice("took \(candidate.entries.joined(separator: ", ")) as job \(job.id)")
            return .taken
        } catch {
            logger.error("cannot record a job for \(candidate.name): \(error); left in ingest/")
            for entry in candidate.entries {
                _ = RawName.rename(Array(entry.utf8), in: input, to: bytes(entry), in: vault.ingest)
            }
            try? files.removeItem(at: vault.work(job: job.id))
            return .unrecorded
        }
    }
}
