import Foundation
import VaultLayout

/// The catalog and the job queue, as the daemon, the CLI and the HTTP server use them: the
/// one door to a catalog, whatever its engine (`CatalogLocation.open` makes one). SQLite is
/// the embedded store; PostgreSQL carries one catalog for many daemons on many hosts.
/// Stores give values (`Job`, `JobTask`, `CatalogEntry`); the documents the API shows are
/// built from them outside the stores.
public protocol CatalogStore: Sendable {
    // MARK: Jobs and their tasks

    /// Records a queued job with its first task, the plan.
    func enqueue(_ job: Job) async throws
    /// Takes the first claimable task — queued, its retry time come, its job neither ended
    /// nor being cancelled — in one transaction, so no two workers ever run the same task;
    /// marks it running on `node` under `owner`'s lease. Plans first, then what makes
    /// titles playable, then the rest, older jobs first. `kinds`, when given, limits what
    /// may be taken.
    func claimNextTask(owner: LeaseOwner, node: String, lease: Duration, kinds: Set<JobTask.Kind>?) async throws -> JobTask?
    /// Extends `owner`'s lease on the running tasks `ids` (those its daemon supervises);
    /// returns the ids of those it still holds. A task of `owner` left out — its outcome
    /// could not be recorded — keeps its lease until it expires and is taken over.
    @discardableResult
    func renewLeases(_ ids: Set<TaskID>, owner: LeaseOwner, lease: Duration) async throws -> Set<TaskID>
    /// Records a running task's progress (and segments it made available) and the job's
    /// stage, progress and speed. Like every change to a running task, it applies only
    /// while `owner` holds the task.
    func recordProgress(of id: TaskID, owner: LeaseOwner, progress: Double, segments: Int?, speed: Double) async throws
    /// The plan is made: the job's chunks, tracks and finish become its tasks.
    func planned(jobID: String, tasks: [JobTask]) async throws
    /// A task is done; when the chunks and tracks all are, the finish is queued. False when
    /// `owner` no longer held it (its lease was taken over).
    @discardableResult
    func completeTask(_ id: TaskID, owner: LeaseOwner, segments: Int) async throws -> Bool
    /// Puts a failed attempt of a task back in the queue until `notBefore`.
    func retryTask(_ id: TaskID, owner: LeaseOwner, error: String, notBefore: Date) async throws
    /// Puts a running task back in the queue without counting its attempt (its daemon is
    /// stopping, or died on this host); a task whose job ended meanwhile is cancelled
    /// instead, so that no task of an ended job stays running.
    func releaseTask(_ id: TaskID, owner: LeaseOwner) async throws
    /// Running tasks whose lease has expired (their daemon died) go back to the queue.
    func requeueAbandonedTasks() async throws -> [JobTask]
    /// Running tasks of `owner` that should stop: their job ended or is being cancelled.
    func tasksToStop(owner: LeaseOwner) async throws -> [TaskID]
    func tasks(jobID: String) async throws -> [JobTask]
    /// Every running task, of any daemon.
    func runningTasks() async throws -> [JobTask]
    /// Records the source's SHA-256 on the job (and on its processing title).
    func setDigest(jobID: String, digest: String) async throws
    /// What went wrong with the job's tracks, as its tracks task found it (SPEC §16).
    func setWarnings(jobID: String, warnings: [TrackWarning]) async throws
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
    /// How many jobs are in each state (counted by the engine).
    func jobCounts() async throws -> [Job.State: Int]
    /// Returns when work may have been queued (another daemon's submission, a retry come
    /// due) or after `timeout`, whichever is first.
    func waitForWork(timeout: Duration) async

    // MARK: Daemons

    /// Records that a daemon is alive and what it runs.
    func heartbeat(_ daemon: DaemonStatus) async throws
    /// Daemons seen since `since`, by node name.
    func daemons(seenSince since: Date) async throws -> [DaemonStatus]

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
    /// Title `mediaId`'s AES-128 key (SPEC §12); with `making`, a random one is made if it
    /// has none — once, so that every daemon of the vault gets the same. It goes with the
    /// title's record.
    func titleKey(of mediaId: String, making: Bool) async throws -> TitleKey?
    /// A movie, episode or series.
    func entry(id: String) async throws -> CatalogEntry?
    /// One page of movies and series (episodes inside their series), the most recently
    /// updated first, and how many there are in all; paged by the store's engine.
    func entries(type: MediaType?, genre: String?, page: Int, limit: Int) async throws -> (items: [CatalogEntry], total: Int)
    /// Full-text search over title, original title and description: every word of
    /// `query` matches a word's beginning, accents ignored; an episode brings its series.
    func search(_ query: String, limit: Int) async throws -> [CatalogEntry]
    /// Applies a metadata edit to a movie, episode or series, searchable at once; false when
    /// there is no such id.
    func edit(id: String, _ edit: MetadataEdit) async throws -> Bool
    /// Removes a title (a series with its episodes); returns the ids of the titles whose
    /// folders should go, empty when there is no such id.
    func delete(id: String) async throws -> [String]
    /// Answers when the store can be read.
    func ping() async throws

    // MARK: Webhooks (the outbox)

    /// Events recorded from now on are delivered to `url` too (nothing before); idempotent.
    func registerWebhook(url: String) async throws
    /// Takes up to `limit` deliveries due to `url`, for `owner` until `now + lease`: for
    /// each title only its earliest event not yet delivered or given up.
    func claimWebhookDeliveries(url: String, owner: LeaseOwner, lease: Duration, limit: Int) async throws -> [WebhookDelivery]
    /// Records how `owner`'s attempt went — only while it holds the delivery's lease (one whose
    /// lease passed to another daemon is that daemon's to record).
    func recordWebhookAttempt(_ delivery: WebhookDelivery, owner: LeaseOwner, _ attempt: WebhookAttempt) async throws
    /// The most recently attempted or created deliveries first; delivered and given-up ones
    /// older than a week are removed.
    func webhookDeliveries(limit: Int) async throws -> [WebhookDeliveryRecord]

    // MARK: Discovery

    /// Records playback starts; one already counted (the same title, viewer and hour) is not
    /// counted again.
    func recordPlaybackStarts(_ starts: [PlaybackStart]) async throws
    /// Movies and series (episodes in their series) by playback starts since `since`, the
    /// most first.
    func trending(since: Date, limit: Int) async throws -> [CatalogEntry]

    // MARK: Uploads

    func createUpload(_ upload: UploadSession) async throws
    func upload(id: String) async throws -> UploadSession?
    /// Moves an upload's offset from `from` to `to`; false when it was not at `from` (another
    /// request wrote meanwhile) or is gone.
    func advanceUpload(id: String, from: Int64, to: Int64) async throws -> Bool
    /// Records the job a complete upload became.
    func completeUpload(id: String, jobId: String) async throws
    func deleteUpload(id: String) async throws
    /// Uploads whose time is up (complete or not), and complete ones that never became a
    /// job (their daemon stopped in between).
    func uploadsToSweep(now: Date) async throws -> [UploadSession]
    func createUploadGrant(_ grant: UploadGrant) async throws
    /// Takes the one-time URL whose token hashes to `tokenHash` for upload `uploadId` of
    /// `length` bytes: nil when there is none, it has expired, has been used, or allows fewer.
    func useUploadGrant(tokenHash: String, for uploadId: String, length: Int64) async throws -> UploadGrant?
}

extension CatalogStore {
    /// Takes the first claimable task of any kind.
    public func claimNextTask(owner: LeaseOwner, node: String, lease: Duration) async throws -> JobTask? {
        try await claimNextTask(owner: owner, node: node, lease: lease, kinds: nil)
    }

    /// A movie, episode or series as the API shows it.
    public func document(id: String) async throws -> MediaDocument? {
        try await entry(id: id).map(MediaDocument.init)
    }

    /// One page of documents, and how many there are in all.
    public func list(type: MediaType?, genre: String?, page: Int, limit: Int) async throws -> (items: [MediaDocument], total: Int) {
        let (items, total) = try await entries(type: type, genre: genre, page: page, limit: limit)
        return (items.map(MediaDocument.init), total)
    }

    /// Search results as documents.
    public func searchDocuments(_ query: String, limit: Int) async throws -> [MediaDocument] {
        try await search(query, limit: limit).map(MediaDocument.init)
    }
}

/// A packaged title to record: the movie or episode, the series it belongs to (found by
/// title and type, or created), and its renditions and tracks.
public struct PublishedTitle: Sendable {
    public struct SeriesName: Sendable {
        public var title: String
        public var type: MediaType
        public var year: Int?

        public init(title: String, type: MediaType, year: Int?) {
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
