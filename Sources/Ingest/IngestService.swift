import Catalog
import Foundation
import Glibc
import Logging
import ServiceLifecycle
import VaultLayout

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
                    let folder = vault.ingest
                    guard let (irregular, candidates) = try? await Blocking.run({
                        (IngestCandidate.irregular(folder), IngestCandidate.scan(folder))
                    }) else { continue }
                    for (name, kind) in irregular where refused.insert(name).inserted {
                        logger.warning("ingest/\(name) is \(kind.rawValue), not a regular file: left where it is")
                    }
                    for candidate in tracker.settled(candidates) {
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

    enum Claim: Sendable { case taken, gone, crossDevice, unrecorded }

    /// Claims `candidate` for a new job; another daemon may have taken it first.
    @discardableResult
    func take(_ candidate: IngestCandidate) async -> Claim {
        let job = Job(source: candidate.name, origin: .ingest, preset: preset, maxAttempts: maxAttempts)
        let (ingest, input, work) = (vault.ingest, vault.input(job: job.id), vault.work(job: job.id))
        do {
            if let refused = try await Blocking.run({ try Self.move(candidate, from: ingest, into: input, work: work) }) {
                return refused
            }
        } catch {
            logger.error("cannot take \(candidate.name): \(error); left in ingest/")
            return .unrecorded
        }
        do {
            try await catalog.enqueue(job)
            logger.notice("took \(candidate.entries.joined(separator: ", ")) as job \(job.id)")
            return .taken
        } catch {
            logger.error("cannot record a job for \(candidate.name): \(error); left in ingest/")
            do {
                try await Blocking.run { try Self.giveBack(candidate, from: input, to: ingest, work: work) }
            } catch {
                logger.error("cannot give \(candidate.name) back to ingest/ (\(error)): it waits in \(input.path)")
            }
            return .unrecorded
        }
    }

    /// Renames the candidate's files out of `ingest/` into the job's input folder, the
    /// bytes of names that are not UTF-8 recorded beside them; nil when it did. When the
    /// first rename fails: `.gone` (another daemon took it, or the user removed it) or
    /// `.crossDevice`. rename(2) moves a file only if it is still there: of two daemons, one wins.
    private static func move(_ candidate: IngestCandidate, from ingest: URL, into input: URL, work: URL) throws -> Claim? {
        // A name that is not UTF-8 arrives under its escaped name, the original bytes recorded.
        func bytes(_ name: String) -> [UInt8] { candidate.originalNames[name] ?? Array(name.utf8) }
        try FileManager.default.createDirectory(at: input, withIntermediateDirectories: true)
        guard RawName.rename(bytes(candidate.name), in: ingest, to: Array(candidate.name.utf8), in: input) else {
            let refused: Claim = errno == EXDEV ? .crossDevice : .gone
            try FileManager.default.removeItem(at: work)  // only our empty folder
            return refused
        }
        for sidecar in candidate.entries.dropFirst() {
            _ = RawName.rename(bytes(sidecar), in: ingest, to: Array(sidecar.utf8), in: input)
        }
        // Inside a bundle folder too.
        var originals = candidate.originalNames
        for entry in candidate.entries {
            originals.merge(RawName.escapeNames(below: input.appendingPathComponent(entry), prefix: entry + "/")) { first, _ in first }
        }
        do {
            try RawName.remember(originals, in: input)
        } catch {
            try giveBack(candidate, from: input, to: ingest, work: work)
            throw error  // without its record a name's bytes would be lost: the file stays in ingest/
        }
        return nil
    }

    /// Renames the candidate's files back into `ingest/` under their own names.
    private static func giveBack(_ candidate: IngestCandidate, from input: URL, to ingest: URL, work: URL) throws {
        for entry in candidate.entries {
            _ = RawName.rename(Array(entry.utf8), in: input, to: candidate.originalNames[entry] ?? Array(entry.utf8), in: ingest)
        }
        try FileManager.default.removeItem(at: work)
    }
}
