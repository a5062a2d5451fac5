import Catalog
import Foundation
import LibAV
import Packager

/// One job's work inside its worker child process (`streamvault worker`): find the input,
/// hash it, stop early if that content is already a title, else package it into
/// `work/<job>/out`. It reports through `emit` and returns the process's exit status; the
/// daemon that started it publishes the result.
public struct JobWorker: Sendable {
    public let vault: Vault
    public let catalog: any CatalogStore
    public let presets: PresetLibrary

    public init(vault: Vault, catalog: any CatalogStore, presets: PresetLibrary) {
        self.vault = vault
        self.catalog = catalog
        self.presets = presets
    }

    public func run(jobID: String, emit: @escaping @Sendable (WorkerMessage) -> Void,
                    isCancelled: @escaping @Sendable () -> Bool) async -> Int32 {
        func fail(_ message: String, _ status: Int32) -> Int32 {
            emit(WorkerMessage(kind: .failed, error: message))
            return status
        }
        do {
            guard let job = try await catalog.job(id: jobID) else { return fail("no job \(jobID)", WorkerExit.permanentFailure) }
            let preset = try presets.load(job.preset)
            let input = try JobInput(folder: URL(fileURLWithPath: job.inputFolder), explicit: job.sidecars)
            emit(.progress(stage: "hashing", 0))
            let digest = try await onThread { try SHA256.hex(ofFileAt: input.media.path) }
            if let existing = try await catalog.mediaID(digest: digest), existing != job.mediaId {
                emit(WorkerMessage(kind: .duplicate, digest: digest, duplicateOf: existing))
                return WorkerExit.success
            }
            let output = vault.output(job: job.id)
            try? FileManager.default.removeItem(at: output)  // an earlier attempt's, whose worker was cut off
            var result = try await onThread {
                let source = try MediaSource(path: input.media.path)
                var lastReport = Date.distantPast
                return try TranscodePipeline(source: source, preset: preset, sidecars: input.sidecars).publish(
                    to: output,
                    progress: { progress in
                        guard Date().timeIntervalSince(lastReport) >= 0.5 else { return }
                        lastReport = Date()
                        emit(.progress(stage: "transcoding", progress.fraction ?? 0, speed: progress.speed))
                    },
                    isCancelled: isCancelled)
            }
            result.warnings = input.warnings + result.warnings
            emit(WorkerMessage(kind: .done, digest: digest, result: result))
            return WorkerExit.success
        } catch let error as PackagingError {
            switch error.cause {
            case .cancelled: return fail("stopped before the end", WorkerExit.interrupted)
            case .failed, .outputExists, .unreadable: return fail(error.description, WorkerExit.temporaryFailure)
            default: return fail(error.description, WorkerExit.permanentFailure)
            }
        } catch {
            return fail("\(error)", WorkerExit.temporaryFailure)
        }
    }
}

/// Runs blocking work (hashing, libav) on a thread of its own, never on Swift's
/// cooperative pool.
func onThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}
