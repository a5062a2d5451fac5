import Catalog
import Foundation
import Packager

/// Ends a job on disk and in the catalog: a packaged title renamed from `work/<job>/out`
/// to `media/<id>` and recorded in one transaction, the input moved to
/// `originals/<id>/`; a final failure's input moved to `failed/` with its reason. Nothing
/// a user dropped is ever deleted.
public struct Publisher: Sendable {
    public let vault: Vault
    public let catalog: any CatalogStore

    public init(vault: Vault, catalog: any CatalogStore) {
        self.vault = vault
        self.catalog = catalog
    }

    /// Publishes a finished job's output; returns the outcome (a duplicate when the same
    /// content was published meanwhile).
    @discardableResult
    public func publish(_ job: Job, result: TranscodeResult, digest: String) async throws -> PublishOutcome {
        let files = FileManager.default
        let destination = vault.media(job.mediaId)
        if files.fileExists(atPath: destination.path), try await !catalog.hasMedia(id: job.mediaId) {
            try files.removeItem(at: destination)  // left by a crash between rename and commit
        }
        try files.moveItem(at: vault.output(job: job.id), to: destination)
        let input = try? JobInput(folder: URL(fileURLWithPath: job.inputFolder), explicit: job.sidecars)
        let title = Self.title(for: job, result: result, digest: digest, titleSource: input?.titleSource ?? job.source)
        let outcome: PublishOutcome
        do {
            outcome = try await catalog.publish(title, jobID: job.id)
        } catch {
            try? files.removeItem(at: destination)
            throw error
        }
        switch outcome {
        case .published(let id):
            try keepOriginals(of: job, in: vault.originals(id))
        case .duplicate(let existing):
            try? files.removeItem(at: destination)
            try keepOriginals(of: job, in: vault.originals(existing))
        }
        return outcome
    }

    /// Ends a job whose content is already the title `existing`.
    public func duplicate(_ job: Job, of existing: String) async throws {
        try await catalog.finishJob(id: job.id, state: .duplicate, error: nil, mediaId: existing)
        try keepOriginals(of: job, in: vault.originals(existing))
    }

    /// Ends a job for good as failed (or cancelled): its input goes to `failed/`, each
    /// top-level name with `<name>.error.txt` beside it.
    public func fail(_ job: Job, state: Job.State = .failed, error: String) async throws {
        try await catalog.finishJob(id: job.id, state: state, error: error, mediaId: nil)
        try moveInput(of: job, to: vault.failed) { name in
            let report = "\(job.source): \(error)\njob \(job.id), \(job.attempts) attempt(s), \(ISO8601DateFormatter().string(from: Date()))\n"
            try Data(report.utf8).write(to: vault.failed.appendingPathComponent(name + ".error.txt"))
        }
        try? FileManager.default.removeItem(at: vault.work(job: job.id))
    }

    /// Removes what an attempt wrote in the job's work folder (finished or staged output,
    /// the worker's log), keeping its input for the next attempt.
    func discardAttempt(of job: Job) {
        let work = vault.work(job: job.id)
        for name in (try? FileManager.default.contentsOfDirectory(atPath: work.path)) ?? [] where name != "input" {
            try? FileManager.default.removeItem(at: work.appendingPathComponent(name))
        }
    }

    /// Moves the job's input files into `folder`, then removes the job's work folder.
    func keepOriginals(of job: Job, in folder: URL) throws {
        try moveInput(of: job, to: folder) { _ in }
        try? FileManager.default.removeItem(at: vault.work(job: job.id))
    }

    private func moveInput(of job: Job, to folder: URL, each: (String) throws -> Void) throws {
        let files = FileManager.default
        try files.createDirectory(at: folder, withIntermediateDirectories: true)
        let input = URL(fileURLWithPath: job.inputFolder)
        for name in (try? files.contentsOfDirectory(atPath: input.path)) ?? [] {
            let target = Self.freeName(name, in: folder)
            try files.moveItem(at: input.appendingPathComponent(name), to: folder.appendingPathComponent(target))
            try each(target)
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
        let isEpisode = name.isEpisode && (job.type == nil || ["series", "anime", "cartoon"].contains(job.type!))
        let type = job.type ?? (isEpisode ? "series" : "movie")
        let media = Media(
            id: job.mediaId, type: type, title: name.title, year: name.year, durationSeconds: result.duration,
            seasonNumber: isEpisode ? name.season : nil, episodeNumber: isEpisode ? name.episode : nil,
            digest: digest, source: job.source, hasPoster: result.poster != nil, hasStoryboard: result.storyboard != nil)
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
                           isDub: $0.sidecar != nil, channels: $0.channels, playlist: $0.playlist)
            },
            subtitles: result.subtitles.map {
                SubtitleTrack(mediaId: job.mediaId, language: $0.language, name: $0.name, isForced: $0.isForced,
                              isHearingImpaired: $0.isHearingImpaired, playlist: $0.playlist, file: $0.file)
            })
    }
}
