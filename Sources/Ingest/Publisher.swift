import Catalog
import Foundation
import Glibc
import Logging
import Packager
import VaultLayout

/// Ends a job's work on disk and in the catalog. While a title is packaged it lists the
/// segments complete in every rendition and records the title as processing once enough
/// of them exist for a player to start; at the end it records it ready and moves the input to
/// `originals/<id>/`; a job that fails for good withdraws its title and moves its input to
/// `failed/` with the reason. Nothing a user dropped is ever deleted.
public struct Publisher: Sendable {
    public let vault: Vault
    public let catalog: any CatalogStore
    let logger: Logger

    public init(vault: Vault, catalog: any CatalogStore, logger: Logger = Logger(label: "streamvault.publisher")) {
        self.vault = vault
        self.catalog = catalog
        self.logger = logger
    }

    private func layout(_ plan: TitlePlan, _ id: String) -> TitleLayout {
        TitleLayout(root: vault.media(id), format: plan.preset.segmentFormat)
    }

    /// Lists what is ready of a title being packaged: the longest run of segments, from the
    /// first, complete in every rendition (never its last, which the finish lists), once it
    /// is enough for a player to start (`SegmentTimeline.segmentsToStart`), and records the
    /// title as processing the first time. Any daemon may call it at any time;
    /// a lock on the job's folder keeps listings in order, and a listing never shrinks.
    public func listReadySegments(of job: Job) async {
        do {
            let folder = PackagingFolder(root: vault.work(job: job.id))
            guard let plan = try await Blocking.run({ try Self.plan(in: folder) }) else { return }
            let ready = Self.readyCount(plan, tasks: try await catalog.tasks(jobID: job.id))
            guard ready >= SegmentTimeline.segmentsToStart else { return }
            let title = layout(plan, job.mediaId)
            let availableSince = job.startedAt ?? job.createdAt
            let (listed, playlists) = try await Blocking.run {
                let tracks = plan.hasTracks ? try TrackManifest(contentsOf: folder.trackManifest) : TrackManifest()
                let playlists = TitlePlaylists(plan: plan, tracks: tracks, layout: title)
                return (try FolderLock(folder.root).run { try playlists.list(ready, availableSince: availableSince) }, playlists)
            }
            guard listed, try await catalog.mediaStatus(id: job.mediaId) == nil,
                  let current = try await catalog.job(id: job.id), current.state == .running else { return }
            try await catalog.publishProcessing(Self.title(for: job, result: playlists.processingResult(), digest: current.digest ?? "",
                                                           titleSource: await titleSource(of: job)))
            logger.notice("job \(job.id): \(job.source) is playable at \(TitleLayout.servedURL(job.mediaId, TitleLayout.masterPlaylistName)) while it is packaged")
        } catch {
            logger.error("job \(job.id): cannot list its ready segments: \(error)")
        }
    }

    /// The job's plan; nil before the plan task has written it.
    private static func plan(in folder: PackagingFolder) throws -> TitlePlan? {
        guard FileManager.default.fileExists(atPath: folder.plan.path) else { return nil }
        return try TitlePlan(contentsOf: folder.plan)
    }

    /// How many segments, from the first, are complete in every rendition (never the
    /// last, which the finish lists).
    private static func readyCount(_ plan: TitlePlan, tasks: [JobTask]) -> Int {
        var ready = plan.timeline.plannedCount - 1
        if plan.video != nil {
            var video = 0
            for chunk in plan.chunks {
                guard let task = tasks.first(where: { $0.kind == .chunk && $0.number == chunk.index }), task.state == .done else { break }
                video = task.segments
            }
            ready = min(ready, video)
        }
        if plan.hasTracks { ready = min(ready, tasks.first { $0.kind == .tracks }?.segments ?? 0) }
        return ready
    }

    /// The name a title's metadata comes from (a bundle's folder name, or the file's); the
    /// file name as dropped when the input folder cannot be read.
    private func titleSource(of job: Job) async -> String {
        let (folder, sidecars) = (vault.input(job: job.id), job.sidecars)
        do {
            return try await Blocking.run { try JobInput(folder: folder, explicit: sidecars).titleSource }
        } catch {
            logger.warning("job \(job.id): its input cannot be read (\(error)); its title comes from \(job.source)")
            return job.source
        }
    }

    /// Records a finished title as ready; returns the outcome (a duplicate when the same
    /// content was published first meanwhile).
    @discardableResult
    public func publish(_ job: Job, result: TranscodeResult) async throws -> PublishOutcome {
        let digest = try await catalog.job(id: job.id)?.digest ?? ""
        let title = Self.title(for: job, result: result, digest: digest, titleSource: await titleSource(of: job))
        let outcome = try await catalog.publish(title, jobID: job.id)
        switch outcome {
        case .published(let id):
            try await keepOriginals(of: job, in: vault.originals(id))
        case .duplicate(let existing):
            await remove(vault.media(job.mediaId), of: job)
            try await keepOriginals(of: job, in: vault.originals(existing))
        }
        return outcome
    }

    /// Ends a job whose content is already the title `existing`: its own title (if it was
    /// playable already) is withdrawn.
    public func duplicate(_ job: Job, of existing: String) async throws {
        try await catalog.finishJob(id: job.id, state: .duplicate, error: nil, mediaId: existing)
        try await withdraw(job.mediaId, of: job)
        try await keepOriginals(of: job, in: vault.originals(existing))
    }

    /// Ends a job for good as failed (or cancelled): its title is withdrawn (404), its input
    /// goes to `failed/`, each top-level name with `<name>.error.txt` beside it.
    public func fail(_ job: Job, state: Job.State = .failed, error: String) async throws {
        try await catalog.finishJob(id: job.id, state: state, error: error, mediaId: nil)
        try await withdraw(job.mediaId, of: job)
        let (input, failed) = (vault.input(job: job.id), vault.failed)
        let report = "\(job.source): \(error)\njob \(job.id), \(job.attempts) attempt(s), \(ISO8601DateFormatter().string(from: Date()))\n"
        try await Blocking.run {
            try Self.moveEntries(of: input, to: failed) { name in
                try Data(report.utf8).write(to: failed.appendingPathComponent(name + ".error.txt"))
            }
        }
        await remove(vault.work(job: job.id), of: job)
    }

    /// After a task of a job that ended meanwhile: what it may have left in the title
    /// folder `plannedTitle` (never a recorded title's) and the job's folder go. Nothing
    /// goes while the catalog cannot say what is in use.
    func cleanUp(after job: Job, plannedTitle: String) async {
        do {
            if try await catalog.mediaStatus(id: plannedTitle) == nil { await remove(vault.media(plannedTitle), of: job) }
            // The job's input was moved when it ended; once no task of it runs, its folder goes.
            let input = vault.input(job: job.id)
            let moved = try await Blocking.run {
                try !FileManager.default.fileExists(atPath: input.path)
                    || FileManager.default.contentsOfDirectory(atPath: input.path).allSatisfy { $0 == RawName.record }
            }
            if moved, try await !catalog.runningTasks().contains(where: { $0.jobId == job.id }) {
                await remove(vault.work(job: job.id), of: job)
            }
        } catch {
            logger.warning("job \(job.id): its leftovers stay, the catalog cannot say whether they are in use: \(error)")
        }
    }

    /// Removes a title that is not (or no longer) ready: its record and its folder.
    private func withdraw(_ id: String, of job: Job) async throws {
        try await catalog.withdraw(mediaId: id)
        if try await catalog.mediaStatus(id: id) == nil { await remove(vault.media(id), of: job) }
    }

    /// Removes a file or folder of `job`'s, if it is there; a failure is logged (what stays
    /// is a leftover, not a loss: nothing a user dropped is ever removed here).
    private func remove(_ url: URL, of job: Job) async {
        do {
            try await Blocking.removeIfPresent(url)
        } catch {
            logger.warning("job \(job.id): cannot remove \(url.path): \(error)")
        }
    }

    /// Removes what a job's earlier attempts wrote in its work folder, keeping its input.
    func discardAttempt(of job: Job) async {
        let work = vault.work(job: job.id)
        let names = (try? await Blocking.run { try FileManager.default.contentsOfDirectory(atPath: work.path) }) ?? []
        for name in names where name != "input" { await remove(work.appendingPathComponent(name), of: job) }
    }

    /// Moves the job's input files into `folder`, then removes the job's work folder.
    func keepOriginals(of job: Job, in folder: URL) async throws {
        let input = vault.input(job: job.id)
        try await Blocking.run { try Self.moveEntries(of: input, to: folder) }
        await remove(vault.work(job: job.id), of: job)
    }

    /// Moves everything in a job's `input` folder into `folder`, each under a free name
    /// (`each` is told it), and gives names that were not UTF-8 their bytes back.
    static func moveEntries(of input: URL, to folder: URL, each: (String) throws -> Void = { _ in }) throws {
        let files = FileManager.default
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        let originals = RawName.originals(in: input)
        for name in (try? files.contentsOfDirectory(atPath: input.path)) ?? [] where name != RawName.record {
            let target = freeName(name, in: folder)
            try files.moveItem(at: input.appendingPathComponent(name), to: folder.appendingPathComponent(target))
            try each(target)
            RawName.restore(name, as: target, in: folder, originals: originals)
        }
    }

    /// `name`, or `name (2)`, `name (3)`… if taken.
    static func freeName(_ name: String, in folder: URL) -> String {
        let stem = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
        var candidate = name, number = 2
        while FileManager.default.fileExists(atPath: folder.appendingPathComponent(candidate).path)
                || FileManager.default.fileExists(atPath: folder.appendingPathComponent(candidate + ".error.txt").path) {
            candidate = "\(stem) (\(number))" + (ext.isEmpty ? "" : ".\(ext)")
            number += 1
        }
        return candidate
    }

    /// The catalog records of a packaged title: metadata from the job (`--title`, `--type`)
    /// or the file name, renditions and tracks from the transcode.
    static func title(for job: Job, result: TranscodeResult, digest: String, titleSource: String) -> PublishedTitle {
        let name = job.title.map { TitleName(parsing: $0) } ?? TitleName(parsing: titleSource)
        let isEpisode = name.isEpisode && job.type?.hasEpisodes ?? true
        let type = job.type ?? (isEpisode ? .series : .movie)
        let media = Media(
            id: job.mediaId, type: type, title: name.title, year: name.year, durationSeconds: result.duration,
            seasonNumber: isEpisode ? name.season : nil, episodeNumber: isEpisode ? name.episode : nil,
            digest: digest, source: job.source, hasPoster: result.poster != nil, hasStoryboard: result.storyboard != nil,
            hasDash: result.dash != nil)
        return PublishedTitle(
            media: media,
            series: isEpisode ? PublishedTitle.SeriesName(title: name.series!, type: type, year: nil) : nil,
            renditions: result.video.map {
                Rendition(mediaId: job.mediaId, quality: $0.name, width: $0.width, height: $0.height, size: $0.size,
                          bandwidth: $0.bandwidth, averageBandwidth: $0.averageBandwidth, codecs: $0.codecs,
                          playlist: $0.playlist, iFramePlaylist: $0.iFramePlaylist)
            },
            audio: result.audio.map {
                AudioTrack(mediaId: job.mediaId, language: $0.language, name: $0.name, isDefault: $0.isDefault,
                           isDub: $0.sidecar != nil, channels: $0.channels, playlist: $0.playlist, codec: $0.codec ?? .aac)
            },
            subtitles: result.subtitles.map {
                SubtitleTrack(mediaId: job.mediaId, language: $0.language, name: $0.name, isForced: $0.isForced,
                              isHearingImpaired: $0.isHearingImpaired, playlist: $0.playlist, file: $0.file)
            })
    }
}

/// An exclusive `flock` on a lock file in a folder, held while `run`'s work runs: the
/// daemons of a vault take turns (on NFS, through its lock manager).
struct FolderLock {
    let file: URL

    init(_ folder: URL) { file = folder.appendingPathComponent(".lock") }

    func run<T>(_ work: () throws -> T) throws -> T {
        let descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_EX) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        return try work()
    }
}
