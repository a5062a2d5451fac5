import Foundation

/// A movie or episode as a store gives it: its record, renditions and tracks, its playback
/// starts, and while it is processing, its job's progress.
public struct TitleRecord: Sendable, Equatable {
    public var media: Media
    public var renditions: [Rendition]
    public var audio: [AudioTrack]
    public var subtitles: [SubtitleTrack]
    public var progress: Double?
    /// Playback starts counted (SPEC §15).
    public var views: Int

    public init(media: Media, renditions: [Rendition], audio: [AudioTrack], subtitles: [SubtitleTrack], progress: Double?, views: Int = 0) {
        self.media = media
        self.renditions = renditions
        self.audio = audio
        self.subtitles = subtitles
        self.progress = progress
        self.views = views
    }
}

/// What a catalog id names: a movie or episode, or a series with its episodes (ordered by
/// season and number). Every store gives these; `MediaDocument` is built from them.
public enum CatalogEntry: Sendable, Equatable {
    case title(TitleRecord)
    case series(Series, episodes: [TitleRecord])
}

/// A daemon as it last reported itself (`GET /api/nodes`).
public struct DaemonStatus: Codable, Sendable, Equatable {
    /// `serve --node`.
    public var node: String
    /// Where its HTTP server listens.
    public var http: String
    public var workers: Int
    /// Tasks it runs now.
    public var running: Int
    public var lastSeen: Date
    /// Its lease name (unique per daemon process), not shown.
    public var owner: LeaseOwner

    public init(node: String, http: String, workers: Int, running: Int, lastSeen: Date = Date(), owner: LeaseOwner) {
        self.node = node
        self.http = http
        self.workers = workers
        self.running = running
        self.lastSeen = lastSeen
        self.owner = owner
    }
}
