import Foundation

/// The catalog and the job queue, as the daemon, the CLI and the HTTP server use them.
/// SQLite (`SQLiteCatalog`) is the embedded store; a PostgreSQL store for many workers on
/// many hosts would implement this same protocol, and nothing else would change.
public protocol CatalogStore: Sendable {
    // MARK: Jobs and their tasks

    /// Records a queued job with its first task, the plan.
    func enqueue(_ job: Job) async throws
    /// Takes the first claimable task — queued, its retry time come, its job neither ended
    /// nor being cancelled — in one transaction, so no two workers ever run the same task;
    /// marks it running on `node` under `owner`'s lease. Plans first, then what makes
    /// titles playable, then the rest, older jobs first. `kinds`, when given, limits what
    /// may be taken.
    func claimNextTask(owner: String, node: String, lease: Duration, kinds: Set<JobTask.Kind>?) async throws -> JobTask?
    /// Extends `owner`'s lease on its running tasks.
    func renewLeases(owner: String, lease: Duration) async throws
    /// Records a running task's progress (and segments it made available) and the job's.
    func updateTask(_ id: String, stage: String, progress: Double, segments: Int?, speed: Double) async throws
    /// The plan is made: the job's chunks, tracks and finish become its tasks.
    func planned(jobID: String, tasks: [JobTask]) async throws
    /// A task is done; when the chunks and tracks all are, the finish is queued.
    func completeTask(_ id: String, segments: Int) async throws
    /// Puts a failed attempt of a task back in the queue until `notBefore`.
    func retryTask(_ id: String, error: String, notBefore: Date) async throws
    /// Puts a running task back in the queue without counting its attempt (its daemon is
    /// stopping, or died on this host).
    func releaseTask(_ id: String) async throws
    /// Running tasks whose lease has expired (their daemon died) go back to the queue.
    func requeueAbandonedTasks() async throws -> [JobTask]
    /// Running tasks of `owner` that should stop: their job ended or is being cancelled.
    func tasksToStop(owner: String) async throws -> [String]
    func tasks(jobID: String) async throws -> [JobTask]
    /// Every running task, of any daemon.
    func runningTasks() async throws -> [JobTask]
    /// Records the source's SHA-256 on the job (and on its processing title).
    func setDigest(jobID: String, digest: String) async throws
    /// Ends a job: succeeded, failed, cancelled or duplicate (with the existing title's id);
    /// its tasks not done are cancelled.
    func finishJob(id: String, state: Job.State, error: String?, mediaId: String?) async throws
    /// A job not started yet is cancelled at once, as is a running one with no task
    /// running; otherwise it is asked to stop (the daemons running its tasks signal their
    /// workers). Nil when there is no such job.
    func cancelJob(id: String) async throws -> Job?
    func job(id: String) async throws -> Job?
    /// Newest first.
    func jobs(state: Job.State?) async throws -> [Job]

    // MARK: Titles

    /// Records a title that is playable while it is packaged (status processing), unless
    /// it is recorded already.
    func publishProcessing(_ title: PublishedTitle) async throws
    /// Records a packaged title as ready (replacing its processing record) and ends its job
    /// as succeeded, in one transaction; if the same content was published meanwhile, ends
    /// the job as duplicate instead (the processing record goes).
    func publish(_ title: PublishedTitle, jobID: String) async throws -> PublishOutcome
    /// Removes a title's record, if it is still processing (a job that failed for good).
    func withdraw(mediaId: String) async throws
    /// The title made from content with this SHA-256 before title `mediaId` was: a ready
    /// one, or one processing that was recorded first (or at all, if `mediaId` is not yet).
    func mediaID(digest: String, before mediaId: String) async throws -> String?
    /// A recorded title's (movie, episode) status; nil when it is not recorded.
    func mediaStatus(id: String) async throws -> Media.Status?
    /// A movie, episode or series as the API shows it.
    func document(id: String) async throws -> MediaDocument?
    /// Movies and series (episodes inside their series), newest first.
    func list(type: String?, genre: String?, page: Int, limit: Int) async throws -> (items: [MediaDocument], total: Int)
    /// Full-text search over title, original title and description.
    func search(_ query: String, limit: Int) async throws -> [MediaDocument]
    /// Removes a title (a series with its episodes); returns the ids of the titles whose
    /// folders should go, empty when there is no such id.
    func delete(id: String) async throws -> [String]
    /// Answers when the store can be read.
    func ping() async throws
}

/// A packaged title to record: the movie or episode, the series it belongs to (found by
/// title and type, or created), and its renditions and tracks.
public struct PublishedTitle: Sendable {
    public struct SeriesName: Sendable {
        public var title: String
        public var type: String
        public var year: Int?

        public init(title: String, type: String, year: Int?) {
            self.title = title
            self.type = type
            self.year = year
        }
    }

    public var media: Media
    public var series: SeriesName?
    public var renditions: [Rendition]
    public var audio: [AudioTrack]
    public var subtitles: [SubtitleTrack]

    public init(media: Media, series: SeriesName?, renditions: [Rendition], audio: [AudioTrack], subtitles: [SubtitleTrack]) {
        self.media = media
        self.series = series
        self.renditions = renditions
        self.audio = audio
        self.subtitles = subtitles
    }
}

public enum PublishOutcome: Sendable, Equatable {
    case published(mediaId: String)
    case duplicate(of: String)
}
