import Foundation

/// The catalog and the job queue, as the daemon, the CLI and the HTTP server use them.
/// SQLite (`SQLiteCatalog`) is the embedded store; a PostgreSQL store for many workers on
/// many hosts would implement this same protocol, and nothing else would change.
public protocol CatalogStore: Sendable {
    // MARK: Jobs

    func enqueue(_ job: Job) async throws
    /// Takes the oldest queued job whose retry time has come, in one transaction, so no two
    /// workers ever take the same job; marks it running under `owner`'s lease.
    func claimNextJob(owner: String, lease: Duration) async throws -> Job?
    /// Extends `owner`'s lease on its running jobs.
    func renewLeases(owner: String, lease: Duration) async throws
    func updateProgress(jobID: String, stage: String, progress: Double, speed: Double) async throws
    /// Ends a job: succeeded, failed, cancelled or duplicate (with the existing title's id).
    func finishJob(id: String, state: Job.State, error: String?, mediaId: String?) async throws
    /// Puts a failed attempt back in the queue until `notBefore`.
    func retryJob(id: String, error: String, notBefore: Date) async throws
    /// Puts a running job back in the queue without counting its attempt (its daemon is
    /// stopping gracefully).
    func releaseJob(id: String) async throws
    /// A queued job is cancelled at once; a running one is asked to stop (its worker is
    /// signalled by the daemon that runs it). Nil when there is no such job.
    func cancelJob(id: String) async throws -> Job?
    /// Running jobs whose lease has expired (their daemon died) go back to the queue.
    func requeueAbandonedJobs() async throws -> [Job]
    /// Jobs of `owner` that should stop (cancel asked).
    func cancelRequests(owner: String) async throws -> [String]
    func job(id: String) async throws -> Job?
    /// Newest first.
    func jobs(state: Job.State?) async throws -> [Job]

    // MARK: Titles

    /// Records a packaged title and ends its job as succeeded, in one transaction; if the
    /// same content was published meanwhile, ends the job as duplicate instead.
    func publish(_ title: PublishedTitle, jobID: String) async throws -> PublishOutcome
    /// The title already made from content with this SHA-256, if any.
    func mediaID(digest: String) async throws -> String?
    /// Whether a title (movie, episode) is recorded.
    func hasMedia(id: String) async throws -> Bool
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
