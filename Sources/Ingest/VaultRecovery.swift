import Catalog
import Foundation
import Logging
import Packager
import VaultLayout

/// Puts a vault back in order when a daemon starts, whatever happened before (`kill -9`,
/// power loss): jobs of dead daemons go back to the queue, half-finished work is cleaned,
/// a title renamed into `media/` but never recorded is removed (its job runs again), and
/// input files stranded in `work/` go where they belong. Nothing a user dropped is deleted.
public struct VaultRecovery: Sendable {
    let vault: Vault
    let catalog: any CatalogStore
    let logger: Logger

    public init(vault: Vault, catalog: any CatalogStore, logger: Logger) {
        self.vault = vault
        self.catalog = catalog
        self.logger = logger
    }

    public func run() async throws {
        let files = FileManager.default
        let publisher = Publisher(vault: vault, catalog: catalog, logger: logger)
        try await takeOverAbandonedTasks()
        // A daemon of this host that died (kill -9) need not wait for its leases to expire.
        for task in try await catalog.runningTasks() {
            guard let owner = task.leaseOwner, owner.isDeadProcessOfThisHost else { continue }
            try await catalog.releaseTask(task.id, owner: owner)
            await removeLeftovers(of: task)
            logger.notice("task \(task.id): its daemon (\(owner)) is gone; queued again")
        }
        for name in (try? files.contentsOfDirectory(atPath: vault.work.path)) ?? [] {
            let folder = vault.work(job: name)
            guard let job = try await catalog.job(id: name) else {
                // Claimed (renamed out of ingest/) but never recorded: give the files back.
                try Publisher.moveEntries(of: vault.input(job: name), to: vault.ingest)
                try? files.removeItem(at: folder)
                logger.notice("work/\(name): unrecorded claim, its files are back in ingest/")
                continue
            }
            switch job.state {
            case .running:
                continue  // its finished chunks are kept: the work resumes from them
            case .queued:
                await publisher.discardAttempt(of: job)
            case .succeeded, .duplicate:
                try await publisher.keepOriginals(of: job, in: vault.originals(job.mediaId))  // removes work/<job>/ too
            case .failed, .cancelled:
                try await publisher.fail(job, state: job.state, error: job.error ?? job.state.rawValue)
            }
        }
        let jobsByTitle = Dictionary(try await catalog.jobs(state: nil).map { ($0.mediaId, $0) }, uniquingKeysWith: { first, _ in first })
        for name in (try? files.contentsOfDirectory(atPath: vault.mediaFolder.path)) ?? [] {
            guard try await catalog.mediaStatus(id: name) == nil else { continue }
            let owner = jobsByTitle[name]
            if name.hasPrefix(".") || owner == nil || owner!.state.isFinal {
                try? files.removeItem(at: vault.media(name))
                logger.notice("media/\(name): not recorded in the catalog (interrupted job), removed")
            }
        }
    }

    /// Puts back in the queue the tasks of daemons whose leases expired (on any host: a
    /// power cut, `kill -9`, a network cut) and removes what their attempts left in `work/`.
    func takeOverAbandonedTasks() async throws {
        for task in try await catalog.requeueAbandonedTasks() {
            await removeLeftovers(of: task)
            logger.notice("task \(task.id): its daemon stopped (lease expired); queued again")
        }
    }

    /// What an interrupted attempt of `task` left in its job's folder: a chunk's or the
    /// tracks' staging (segments not yet placed in the title).
    private func removeLeftovers(of task: JobTask) async {
        let folder = PackagingFolder(root: vault.work(job: task.jobId))
        let leftovers: URL? = switch task.kind {
        case .chunk: folder.chunkStaging(task.number)
        case .tracks: folder.trackStaging
        case .plan, .finish: nil
        }
        guard let leftovers else { return }
        do {
            try await Blocking.removeIfPresent(leftovers)
        } catch {
            logger.warning("task \(task.id): cannot remove what its attempt left: \(error)")
        }
    }
}
