import Catalog
import Foundation
import VaultLayout

/// A file submitted by a person or a script (`streamvault submit`, `POST /api/jobs`):
/// hard-linked (or, where allowed, copied across file systems) into the job's own input
/// folder, so the caller's file is never moved or modified, then queued.
public struct JobSubmission: Sendable {
    /// A sidecar to bring along: the caller's path, its kind, and its language if given.
    public struct Sidecar: Sendable {
        public var path: String
        public var kind: Job.Track.Kind
        public var language: String?

        public init(path: String, kind: Job.Track.Kind, language: String?) {
            self.path = path
            self.kind = kind
            self.language = language
        }
    }

    public var file: String
    public var sidecars: [Sidecar] = []
    public var title: String?
    public var type: MediaType?
    public var preset: String
    public var maxAttempts: Int
    public var origin: Job.Origin
    /// Whether a file on another file system is copied; the HTTP API only links, so a
    /// request never copies gigabytes while the client waits.
    public var mayCopy: Bool

    public init(file: String, sidecars: [Sidecar] = [], title: String? = nil, type: MediaType? = nil,
                preset: String, maxAttempts: Int, origin: Job.Origin, mayCopy: Bool = true) {
        self.file = file
        self.sidecars = sidecars
        self.title = title
        self.type = type
        self.preset = preset
        self.maxAttempts = maxAttempts
        self.origin = origin
        self.mayCopy = mayCopy
    }

    /// Brings the files into `vault` and queues the job; on failure nothing is left behind.
    public func enqueue(in vault: Vault, catalog: any CatalogStore) async throws -> Job {
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: file, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw SubmissionError(file: file, reason: isDirectory.boolValue ? "is a folder, not a file" : "no such file")
        }
        guard files.isReadableFile(atPath: file) else { throw SubmissionError(file: file, reason: "cannot be read (permission denied)") }
        let name = URL(fileURLWithPath: file).lastPathComponent
        var job = Job(source: name, origin: origin, title: title, type: type, preset: preset, maxAttempts: maxAttempts)
        let input = vault.input(job: job.id)
        do {
            try files.createDirectory(at: input, withIntermediateDirectories: true)
            try bring(file, to: input.appendingPathComponent(name))
            for sidecar in sidecars {
                guard files.isReadableFile(atPath: sidecar.path) else {
                    throw SubmissionError(file: sidecar.path, reason: files.fileExists(atPath: sidecar.path) ? "cannot be read" : "no such file")
                }
                let sidecarName = URL(fileURLWithPath: sidecar.path).lastPathComponent
                guard sidecarName != name, !job.sidecars.contains(where: { $0.file == sidecarName }) else {
                    throw SubmissionError(file: sidecar.path, reason: "has the same name as another file of this job")
                }
                try bring(sidecar.path, to: input.appendingPathComponent(sidecarName))
                job.sidecars.append(Job.Track(kind: sidecar.kind, file: sidecarName, language: sidecar.language))
            }
            try await catalog.enqueue(job)
            return job
        } catch {
            try? files.removeItem(at: vault.work(job: job.id))
            throw error
        }
    }

    /// A hard link when source and vault share a file system, else a copy (if allowed).
    private func bring(_ path: String, to destination: URL) throws {
        guard link(path, destination.path) != 0 else { return }
        guard errno == EXDEV, mayCopy else {
            throw SubmissionError(file: path, reason: errno == EXDEV
                ? "is on another file system than the vault; the API links files and never copies them (use `streamvault submit`, which copies)"
                : "cannot be linked into the vault (\(String(cString: strerror(errno))))")
        }
        try FileManager.default.copyItem(atPath: path, toPath: destination.path)
    }
}
