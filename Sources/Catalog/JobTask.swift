import Foundation
import GRDB

/// One piece of a job's work, claimed by any worker of any daemon under a lease (SPEC §10):
/// the plan, a chunk of the video (every rung for its time range), the tracks (audio and
/// subtitles across the title), or the finish (measured master, I-frames, storyboard).
public struct JobTask: Codable, Sendable, Equatable, Identifiable {
    public enum Kind: String, Codable, Sendable, DatabaseValueConvertible {
        case plan, chunk, tracks, finish

        /// Light work (probing, audio, playlists) beside the chunks' video encoding: a
        /// daemon runs as many of these as it has workers, on top of its chunks.
        public static let light: Set<Kind> = [.plan, .tracks, .finish]
    }

    public enum State: String, Codable, Sendable, DatabaseValueConvertible {
        /// Not yet: the finish waits for the chunks and the tracks.
        case waiting
        case queued, running, done
        /// Its job ended (failed, cancelled, duplicate) before it ran or while it ran.
        case cancelled
    }

    /// `<job>:<kind>:<number>`.
    public var id: String
    public var jobId: String
    public var kind: Kind
    /// The chunk's index; 0 for the other kinds.
    public var number: Int
    /// Claim order: the plan first, then what makes a title playable (first chunk, tracks,
    /// finish), then the rest — so a new title becomes playable while a long one packages.
    public var priority: Int
    /// A chunk's time range, seconds of the title.
    public var start: Double?
    public var end: Double?
    public var state: State
    /// The daemon (`serve --node`) that runs or ran it.
    public var node: String?
    /// 0…1.
    public var progress: Double
    /// Segments complete (from the title's first) that this task has made available: a
    /// chunk's last segment number + 1 when done, the tracks' count as they go.
    public var segments: Int
    public var attempts: Int
    public var error: String?
    /// A retry waits until then.
    public var notBefore: Date?
    /// The daemon process holding it, and until when its claim holds without a heartbeat.
    public var leaseOwner: String?
    public var leaseExpiresAt: Date?

    public init(jobId: String, kind: Kind, number: Int = 0, start: Double? = nil, end: Double? = nil,
                state: State = .queued) {
        id = "\(jobId):\(kind.rawValue):\(number)"
        self.jobId = jobId
        self.kind = kind
        self.number = number
        priority = switch kind {
        case .plan: 0
        case .tracks, .finish: 1
        case .chunk: number == 0 ? 1 : 2
        }
        self.start = start
        self.end = end
        self.state = state
        progress = 0
        segments = 0
        attempts = 0
    }
}

extension JobTask: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "jobTask"

    public enum Columns {
        public static let id = Column(CodingKeys.id)
        public static let jobId = Column(CodingKeys.jobId)
        public static let kind = Column(CodingKeys.kind)
        public static let number = Column(CodingKeys.number)
        public static let priority = Column(CodingKeys.priority)
        public static let state = Column(CodingKeys.state)
        public static let notBefore = Column(CodingKeys.notBefore)
        public static let leaseOwner = Column(CodingKeys.leaseOwner)
        public static let leaseExpiresAt = Column(CodingKeys.leaseExpiresAt)
    }
}
