import Foundation

/// One piece of a job's work, claimed by any worker of any daemon under a lease (SPEC §10):
/// the plan, a chunk of the video (every rung for its time range), the tracks (audio and
/// subtitles across the title), or the finish (measured master, I-frames, storyboard).
public struct JobTask: Codable, Sendable, Equatable, Identifiable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case plan, chunk, tracks, finish

        /// Light work (probing, audio, playlists) beside the chunks' video encoding: a
        /// daemon runs as many of these as it has workers, on top of its chunks.
        public static let light: Set<Kind> = [.plan, .tracks, .finish]

        /// What its job is doing while it runs.
        public var stage: Job.Stage {
            switch self {
            case .plan: .planning
            case .chunk, .tracks: .packaging
            case .finish: .finishing
            }
        }
    }

    public enum State: String, Codable, Sendable {
        /// Not yet: the finish waits for the chunks and the tracks.
        case waiting
        case queued, running, done
        /// Its job ended (failed, cancelled, duplicate) before it ran or while it ran.
        case cancelled
    }

    public var id: TaskID
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
    public var leaseOwner: LeaseOwner?
    public var leaseExpiresAt: Date?

    public init(jobId: String, kind: Kind, number: Int = 0, start: Double? = nil, end: Double? = nil,
                state: State = .queued) {
        id = TaskID(jobID: jobId, kind: kind, number: number)
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

extension JobTask {
    /// Whether `owner` holds it now (fences a daemon whose lease was taken over).
    public func isHeld(by owner: LeaseOwner) -> Bool { state == .running && leaseOwner == owner }

    /// Taken by `owner` on `node`, until `now + lease` unless renewed.
    mutating func claim(owner: LeaseOwner, node: String, lease: Duration, at now: Date) {
        state = .running
        attempts += 1
        self.node = node
        progress = 0
        leaseOwner = owner
        leaseExpiresAt = now.addingTimeInterval(lease.seconds)
    }

    mutating func complete(segments: Int) {
        state = .done
        progress = 1
        self.segments = max(self.segments, segments)
        error = nil
        dropLease()
    }

    /// A failed attempt: back in the queue, not before `notBefore`.
    mutating func retry(after error: String, notBefore: Date) {
        state = .queued
        self.error = error
        self.notBefore = notBefore
        dropLease()
    }

    /// Back in the queue without counting the attempt (its daemon is stopping or died here).
    mutating func release() {
        state = .queued
        attempts = max(0, attempts - 1)
        progress = 0
        dropLease()
    }

    /// Its job ended while it ran: it will not run again.
    mutating func cancel() {
        state = .cancelled
        dropLease()
    }

    /// Back in the queue because its lease expired (its daemon died or lost the catalog).
    mutating func abandon() {
        state = .queued
        progress = 0
        notBefore = nil
        dropLease()
    }

    private mutating func dropLease() {
        leaseOwner = nil
        leaseExpiresAt = nil
    }
}

extension Array where Element == JobTask {
    /// A job's progress from its tasks: the chunks (by length) make 90 %, the tracks and
    /// the finish 5 % each; an audio-only job is its tracks and finish.
    var jobProgress: Double {
        func done(_ task: JobTask) -> Double { task.state == .done ? 1 : task.progress }
        let chunks = filter { $0.kind == .chunk }
        let tracks = first { $0.kind == .tracks }.map(done)
        let finish = first { $0.kind == .finish }.map(done) ?? 0
        guard !chunks.isEmpty else { return (tracks ?? 0) * 0.95 + finish * 0.05 }
        let length = chunks.reduce(0) { $0 + Swift.max(0.001, ($1.end ?? 0) - ($1.start ?? 0)) }
        let made = chunks.reduce(0) { $0 + Swift.max(0.001, ($1.end ?? 0) - ($1.start ?? 0)) * done($1) }
        return 0.9 * made / length + 0.05 * (tracks ?? 1) + 0.05 * finish
    }

    /// Whether every chunk and the tracks are done, so the finish may run.
    var readyToFinish: Bool { allSatisfy { ![.chunk, .tracks].contains($0.kind) || $0.state == .done } }
}

extension Duration {
    /// The duration in seconds, fractions included.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
