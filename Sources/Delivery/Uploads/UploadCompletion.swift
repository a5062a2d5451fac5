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
        try await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do { try await sweep() } catch { logger.warning("uploads: cannot sweep them now: \(error)") }
                try? await Task.sleep(for: every)
            }
        }
    }

    func sweep() async throws {
        for upload in try await catalog.uploadsToSweep(now: Date()) {
            // One that a request is writing (or finishing) right now is left to it.
            guard let file = try? UploadFile(folder: vault.upload(upload.id), filename: upload.filename, offset: upload.offset) else { continue }
            guard let current = try await catalog.upload(id: upload.id) else { continue }
            if current.isComplete, current.jobId == nil {
                let job = try await UploadCompletion(catalog: catalog, vault: vault, intake: intake).finish(current)
                logger.notice("upload \(current.id) (\(current.filename)) became job \(job)")
            } else {
                try await catalog.deleteUpload(id: current.id)
                try? FileManager.default.removeItem(at: vault.upload(current.id))
                if !current.isComplete {
                    logger.notice("upload \(current.id) (\(current.filename)) expired at \(current.offset) of \(current.length) bytes and was removed")
                }
            }
            _ = file
        }
    }
}
