import Foundation

/// The one place that knows the vault's layout (SPEC §4): all state lives under `root`.
public struct Vault: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    public var ingest: URL { root.appendingPathComponent("ingest", isDirectory: true) }
    public var mediaFolder: URL { root.appendingPathComponent("media", isDirectory: true) }
    public var originalsFolder: URL { root.appendingPathComponent("originals", isDirectory: true) }
    public var failed: URL { root.appendingPathComponent("failed", isDirectory: true) }
    public var work: URL { root.appendingPathComponent("work", isDirectory: true) }
    /// Resumable uploads being received (SPEC §15).
    public var uploads: URL { root.appendingPathComponent("uploads", isDirectory: true) }
    /// The embedded catalog's file (the default `--catalog`).
    public var catalog: URL { root.appendingPathComponent("catalog.sqlite") }
    public var apiToken: URL { root.appendingPathComponent("api-token") }
    /// The key webhook deliveries are signed with, unless `serve --webhook-secret` names one.
    public var webhookSecret: URL { root.appendingPathComponent("webhook-secret") }

    /// Published output of a title, served as `/hls/<id>/…`.
    public func media(_ id: String) -> URL { mediaFolder.appendingPathComponent(id, isDirectory: true) }
    /// The source files of a title, kept after success.
    public func originals(_ id: String) -> URL { originalsFolder.appendingPathComponent(id, isDirectory: true) }
    /// A job's private scratch folder.
    public func work(job: String) -> URL { work.appendingPathComponent(job, isDirectory: true) }
    /// The job's own copy of its input (the claimed or submitted files, names kept).
    public func input(job: String) -> URL { work(job: job).appendingPathComponent("input", isDirectory: true) }

    /// Upload `id`'s folder: its bytes, under the file's own name.
    public func upload(_ id: String) -> URL { uploads.appendingPathComponent(id, isDirectory: true) }

    /// Creates the vault's folders.
    public func create() throws {
        for folder in [ingest, mediaFolder, originalsFolder, failed, work, uploads] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
    }
}
