import Catalog
import Packager
import VaultLayout

/// What the daemon gives a worker child: its task and the task's job, as JSON on its
/// command line, so the child needs no catalog of its own.
public struct WorkerAssignment: Codable, Sendable, Equatable {
    public var task: JobTask
    public var job: Job
    /// Video workers of every daemon on the vault when the task was given: a plan sizes
    /// its chunks for them.
    public var clusterWorkers: Int
    /// The task runs in a light slot, beside a video chunk of this daemon: a tracks task may
    /// then wait for the title to be playable once it has its first segments. In a worker
    /// slot it must not: it would hold a slot another title's chunks could use.
    public var light: Bool

    public init(task: JobTask, job: Job, clusterWorkers: Int = 1, light: Bool = false) {
        self.task = task
        self.job = job
        self.clusterWorkers = clusterWorkers
        self.light = light
    }
}

/// What a worker child process tells the daemon about its task, one JSON object per line
/// on its stdout. The daemon trusts none of it blindly: a line that does not decode is
/// dropped, and a task that ends without its closing message fails that attempt.
public enum WorkerMessage: Codable, Sendable, Equatable {
    /// How far the task is (0…1) and its speed (media seconds per wall-clock second).
    case progress(fraction: Double, speed: Double)
    /// The tracks task: this many segments, from the first, exist in all its renditions.
    case segmentsReady(Int)
    /// The source's SHA-256, found while packaging.
    case digest(String)
    /// The plan task is done: the plan is in the job's folder.
    case planned
    /// A chunk task is done and its segments are in the title.
    case chunkDone(ChunkResult)
    /// The tracks task is done: this many segments in every rendition, and what went wrong
    /// with any track.
    case tracksDone(segments: Int, warnings: [TrackWarning])
    /// The finish task is done: the whole title, measured.
    case finished(TranscodeResult)
    /// The task failed, in words a user understands (the exit status says if for good).
    case failed(String)
}

/// How a worker ends, as its exit status says.
public enum WorkerExit {
    /// Done: see the last message.
    public static let success: Int32 = 0
    /// The input cannot be packaged (not media, truncated…): retrying will not help.
    public static let permanentFailure: Int32 = 1
    /// Stopped by SIGTERM (cancel or daemon shutdown).
    public static let interrupted: Int32 = 3
    /// Something that may pass (disk full, I/O error, a libav failure): try again later.
    public static let temporaryFailure: Int32 = 75
}
