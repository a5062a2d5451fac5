import Catalog
import Foundation
import Logging
import ServiceLifecycle
import VaultLayout

/// A complete upload becomes a job at once (never through `ingest/`): the job links the
/// file into its own input, then the upload's folder goes; the upload's record keeps the
/// job's id until the upload would have expired.
struct UploadCompletion: Sendable {
    let catalog: any CatalogStore
    let vault: Vault
    let intake: UploadIntake

    /// Makes the job; its id.
    func finish(_ upload: UploadSession) async throws -> String {
        let file = vault.upload(upload.id).appendingPathComponent(upload.filename)
        let job = try await intake.submit(file, upload.title, upload.type, upload.preset)
        try await catalog.completeUpload(id: upload.id, jobId: job.id)
        try? FileManager.default.removeItem(at: vault.upload(upload.id))
        return job.id
    }
}

/// Removes incomplete uploads whose time is up (their bytes and record), records of
/// complete ones past that time, and makes the jobs of complete uploads whose daemon
/// stopped before it could; once a minute (or `every`), on every daemon.
public struct UploadSweeper: Service {
    let catalog: any CatalogStore
    let vault: Vault
    let intake: UploadIntake
    let every: Duration
    let logger: Logger

    public init(catalog: any CatalogStore, vault: Vault, intake: UploadIntake, every: Duration = .seconds(60), logger: Logger) {
        self.catalog = catalog
        self.vault = vault
        self.intake = intake
        self.every = every
        self.logger = logger
    }

    /// Sweeps until the daemon stops (its wait between sweeps ends at once then).
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await sweep() } catch { logger.warning("uploads: cannot sweep them now: \(error)") }
                try? await Task.sleep(for: every)
            }
        }
    }

    func sweep() async throws {
        let now = Date()
        for listed in try await catalog.uploadsToSweep(now: now) {
            do { try await sweep(listed.id, now: now) } catch {
                logger.warning("upload \(listed.id) (\(listed.filename)): not swept now: \(error)")
            }
        }
    }

    /// One upload, as it stands now: a complete one whose job was made goes once its time
    /// is up; one complete without a job gets it (or goes, if its time is up); an incomplete
    /// one goes once its time is up. One that a request is writing is left to it.
    private func sweep(_ id: String, now: Date) async throws {
        guard var upload = try await catalog.upload(id: id) else { return }
        if upload.jobId != nil {
            if upload.expiresAt < now { try await remove(upload) }
            return
        }
        guard let file = try? UploadFile(folder: vault.upload(upload.id), filename: upload.filename) else { return }
        defer { file.close() }
        guard let current = try await catalog.upload(id: id) else { return }
        upload = current
        if upload.isComplete, upload.jobId == nil, upload.expiresAt >= now {
            let job = try await UploadCompletion(catalog: catalog, vault: vault, intake: intake).finish(upload)
            logger.notice("upload \(upload.id) (\(upload.filename)) became job \(job)")
        } else if upload.expiresAt < now {
            try await remove(upload)
            logger.notice("upload \(upload.id) (\(upload.filename)) expired at \(upload.offset) of \(upload.length) bytes and was removed")
        }
    }

    private func remove(_ upload: UploadSession) async throws {
        try await catalog.deleteUpload(id: upload.id)
        try? FileManager.default.removeItem(at: vault.upload(upload.id))
    }
}
