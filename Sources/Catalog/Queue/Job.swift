import Foundation
import VaultLayout

/// One packaging job: a file taken from `ingest/` or submitted, on its way to a title.
public struct Job: Codable, Sendable, Equatable, Identifiable {
    public enum State: String, Codable, Sendable, CaseIterable {
        case queued, running, succeeded, failed, cancelled, duplicate

        /// Whether the job has ended for good.
        public var isFinal: Bool { ![.queued, .running].contains(self) }
    }

    /// What a job is doing now, as `GET /api/jobs` shows it.
    public enum Stage: String, Codable, Sendable, CaseIterable {
        case queued, planning, packaging, finishing
        /// A task's attempt failed; it runs again after its backoff.
        case waitingToRetry = "waiting to retry"
        /// Its plan's daemon stopped before the plan was made: back in the queue.
        case requeued = "requeued: its daemon stopped"
        /// Ended: succeeded (`done`), or as its state says.
        case done, failed, cancelled, duplicate
    }

    /// Where the job came from.
    public enum Origin: String, Codable, Sendable {
        case ingest, submit, api
    }

    public var id: String
    /// The title this job makes (planned at creation; for an episode, the episode's id).
    /// For a duplicate, the existing title's id.
    public var mediaId: String
    /// The file name as dropped or submitted; the job's own copy of its input files is
    /// `Vault.input(job:)`, wherever a host mounts the vault.
    public var source: String
    /// A sidecar given explicitly (`submit --subtitle/--audio`), copied into the input folder.
    public struct Track: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case subtitle, audio }
        public var kind: Kind
        /// File name inside the input folder.
        public var file: String
        /// The language code given with it, if any (checked when the job runs).
        public var language: String?

        public init(kind: Kind, file: String, language: String?) {
            self.kind = kind
            self.file = file
            self.language = language
        }
    }

    public var sidecars: [Track]
    public var origin: Origin
    /// Metadata chosen by whoever submitted it; nil where the file name decides.
    public var title: String?
    public var type: MediaType?
    public var preset: String
    public var state: State
    public var stage: Stage
    /// 0…1.
    public var progress: Double
    /// Media seconds per wall-clock second, all its workers together.
    public var speed: Double
    /// Attempts of its most tried task.
    public var attempts: Int
    /// Attempts each task gets before the job fails for good.
    public var maxAttempts: Int
    /// The last error, in words a user understands.
    public var error: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// Set when cancellation is asked for a running job (its daemons stop its tasks).
    public var cancelRequested: Bool
    /// SHA-256 of the source, once its tracks task has read it.
    public var digest: String?
    /// Tracks left out, or published with cues dropped, once its tracks task is done.
    public var warnings: [TrackWarning]

    public init(id: String = CatalogID.make(), mediaId: String = CatalogID.make(), source: String,
                sidecars: [Track] = [], origin: Origin, title: String? = nil, type: MediaType? = nil,
                preset: String, maxAttempts: Int, createdAt: Date = Date()) {
        self.id = id
        self.mediaId = mediaId
        self.source = source
        self.sidecars = sidecars
        self.origin = origin
        self.title = title
        self.type = type
        self.preset = preset
        state = .queued
        stage = .queued
        progress = 0
        speed = 0
        attempts = 0
        self.maxAttempts = maxAttempts
        self.createdAt = createdAt
        cancelRequested = false
        warnings = []
    }
}

extension Job {
    /// Taken up by its first claimed task.
    mutating func start(at now: Date) {
        guard state == .queued else { return }
        state = .running
        startedAt = now
        stage = .planning
    }

    /// Ended for good: succeeded, failed, cancelled or duplicate (with the existing title's
    /// id). Complete work (succeeded, duplicate) is at 100 %.
    mutating func end(as final: State, error: String?, mediaId: String?, at now: Date) {
        state = final
        stage = switch final {
        case .succeeded: .done
        case .failed: .failed
        case .cancelled: .cancelled
        case .duplicate: .duplicate
        case .queued, .running: stage
        }
        if final == .succeeded || final == .duplicate { progress = 1 }
        self.error = error
        if let mediaId { self.mediaId = mediaId }
        finishedAt = now
    }
}

/// Short random identifiers for titles and jobs: 12 lowercase letters and digits.
public enum CatalogID {
    public static func make() -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz23456789")
        return String((0..<12).map { _ in alphabet.randomElement()! })
    }
}
