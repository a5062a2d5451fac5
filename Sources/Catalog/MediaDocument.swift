import Foundation
import VaultLayout

/// A title as the JSON API and `media show --json` give it (SPEC §6): a movie, or a series
/// with its seasons and episodes. `duration` is in minutes, `size` in bytes.
public struct MediaDocument: Codable, Sendable, Equatable {
    public struct Source: Codable, Sendable, Equatable {
        public var quality: String
        public var url: String
        public var size: Int
        public var width: Int
        public var height: Int
        public var bandwidth: Int
        public var codecs: String
    }

    public struct Subtitle: Codable, Sendable, Equatable {
        public var language: String
        public var name: String
        public var forced: Bool
        public var url: String
        /// The whole track in one WebVTT file, for `<track>` elements.
        public var file: String
    }

    /// An audio rendition of any codec (SPEC §13); `loudness` is the source's measured level,
    /// absent until measured.
    public struct Audio: Codable, Sendable, Equatable {
        public var language: String
        public var codec: AudioCodec
        public var channels: Int
        public var loudness: Double?
        public var url: String
    }

    public struct Dub: Codable, Sendable, Equatable {
        public var language: String
        public var name: String
        public var `default`: Bool
        public var url: String
    }

    public struct Episode: Codable, Sendable, Equatable {
        public var id: String
        public var number: Int
        public var title: String
        public var duration: Double
        public var durationSeconds: Double
        public var poster: String?
        public var hls: String
        /// The MPEG-DASH manifest, when the episode has one.
        public var dash: String?
        public var sources: [Source]
        public var subtitles: [Subtitle]
        public var dubbing: [Dub]
        public var audio: [Audio]
        public var views: Int
    }

    public struct Season: Codable, Sendable, Equatable {
        public var number: Int
        public var episodes: [Episode]
    }

    public var id: String
    public var title: String
    public var originalTitle: String
    public var type: MediaType
    public var genre: [String]
    public var year: Int?
    public var description: String
    public var cast: [String]
    public var director: String
    public var studio: String
    public var country: String
    public var language: String
    public var tags: [String]
    public var duration: Double
    public var durationSeconds: Double
    public var poster: String?
    public var hls: String?
    /// The MPEG-DASH manifest, when the title has one (SPEC §14).
    public var dash: String?
    public var storyboard: String?
    public var sources: [Source]
    public var subtitles: [Subtitle]
    public var dubbing: [Dub]
    /// Every audio rendition, stereo AAC and E-AC-3 alike.
    public var audio: [Audio]
    public var seasons: [Season]
    /// "processing" while it is packaged (already playable), then "ready".
    public var status: String
    /// 0…1 while processing.
    public var progress: Double?
    /// Playback starts (SPEC §15); a series', its episodes'.
    public var views: Int
    public var createdAt: Date
    public var updatedAt: Date
}

extension MediaDocument {
    /// The document of a catalog entry, as every store gives it.
    public init(_ entry: CatalogEntry) {
        switch entry {
        case let .title(title): self.init(title)
        case let .series(series, episodes): self.init(series, episodes: episodes)
        }
    }

    private init(_ title: TitleRecord) {
        let media = title.media
        self.init(
            id: media.id, title: media.title, originalTitle: media.originalTitle, type: media.type, genre: media.genre,
            year: media.year, description: media.description, details: media.details, duration: Self.minutes(media.durationSeconds),
            durationSeconds: media.durationSeconds, poster: media.hasPoster ? Self.url(media.id, TitleLayout.posterName) : nil,
            hls: Self.url(media.id, TitleLayout.masterPlaylistName), dash: Self.dash(media),
            storyboard: media.hasStoryboard ? Self.url(media.id, TitleLayout.storyboardCuesName) : nil,
            sources: Self.sources(title), subtitles: Self.subtitles(title), dubbing: Self.dubbing(title), audio: Self.audio(title), seasons: [],
            status: media.status.rawValue, progress: media.status == .processing ? title.progress ?? 0 : nil, views: title.views,
            createdAt: media.createdAt, updatedAt: media.updatedAt)
    }

    private init(_ series: Series, episodes: [TitleRecord]) {
        var seasons: [Season] = []
        for title in episodes {
            let episode = title.media
            let entry = Episode(
                id: episode.id, number: episode.episodeNumber ?? 0, title: episode.title,
                duration: Self.minutes(episode.durationSeconds), durationSeconds: episode.durationSeconds,
                poster: episode.hasPoster ? Self.url(episode.id, TitleLayout.posterName) : nil, hls: Self.url(episode.id, TitleLayout.masterPlaylistName),
                dash: Self.dash(episode), sources: Self.sources(title), subtitles: Self.subtitles(title), dubbing: Self.dubbing(title),
                audio: Self.audio(title), views: title.views)
            let number = episode.seasonNumber ?? 1
            if seasons.last?.number == number { seasons[seasons.count - 1].episodes.append(entry) }
            else { seasons.append(Season(number: number, episodes: [entry])) }
        }
        let total = episodes.reduce(0) { $0 + $1.media.durationSeconds }
        self.init(
            id: series.id, title: series.title, originalTitle: series.originalTitle, type: series.type, genre: series.genre,
            year: series.year, description: series.description, details: series.details, duration: Self.minutes(total), durationSeconds: total,
            poster: episodes.first { $0.media.hasPoster }.map { Self.url($0.media.id, TitleLayout.posterName) }, hls: nil, dash: nil,
            storyboard: nil,
            sources: [], subtitles: [], dubbing: [], audio: [], seasons: seasons,
            status: episodes.contains { $0.media.status == .processing } ? Media.Status.processing.rawValue : Media.Status.ready.rawValue,
            progress: nil, views: episodes.reduce(0) { $0 + $1.views }, createdAt: series.createdAt, updatedAt: series.updatedAt)
    }

    /// The memberwise initializer, with the details spread into their fields.
    private init(id: String, title: String, originalTitle: String, type: MediaType, genre: [String], year: Int?,
                 description: String, details: TitleDetails, duration: Double, durationSeconds: Double, poster: String?,
                 hls: String?, dash: String?, storyboard: String?, sources: [Source], subtitles: [Subtitle], dubbing: [Dub],
                 audio: [Audio], seasons: [Season], status: String, progress: Double?, views: Int, createdAt: Date, updatedAt: Date) {
        (self.id, self.title, self.originalTitle, self.type, self.genre, self.year) = (id, title, originalTitle, type, genre, year)
        self.description = description
        (cast, director, studio, country, language, tags) = (details.cast, details.director, details.studio, details.country, details.language, details.tags)
        (self.duration, self.durationSeconds, self.poster, self.hls, self.dash, self.storyboard) = (duration, durationSeconds, poster, hls, dash, storyboard)
        (self.sources, self.subtitles, self.dubbing, self.audio, self.seasons) = (sources, subtitles, dubbing, audio, seasons)
        (self.status, self.progress, self.views, self.createdAt, self.updatedAt) = (status, progress, views, createdAt, updatedAt)
    }

    /// Highest bandwidth first.
    private static func sources(_ title: TitleRecord) -> [Source] {
        title.renditions.sorted { $0.bandwidth > $1.bandwidth }.map {
            Source(quality: $0.quality, url: url(title.media.id, $0.playlist), size: $0.size, width: $0.width,
                   height: $0.height, bandwidth: $0.bandwidth, codecs: $0.codecs)
        }
    }

    private static func subtitles(_ title: TitleRecord) -> [Subtitle] {
        title.subtitles.map {
            Subtitle(language: $0.language, name: $0.name, forced: $0.isForced, url: url(title.media.id, $0.playlist),
                     file: url(title.media.id, $0.file))
        }
    }

    /// The stereo renditions: each language (and dub) once, as the players' menus list them.
    private static func dubbing(_ title: TitleRecord) -> [Dub] {
        title.audio.filter { $0.codec == .aac }.map {
            Dub(language: $0.language, name: $0.name, default: $0.isDefault, url: url(title.media.id, $0.playlist))
        }
    }

    private static func audio(_ title: TitleRecord) -> [Audio] {
        title.audio.map { Audio(language: $0.language, codec: $0.codec, channels: $0.channels, loudness: nil, url: url(title.media.id, $0.playlist)) }
    }

    private static func url(_ id: String, _ path: String) -> String { TitleLayout.servedURL(id, path) }
    private static func dash(_ media: Media) -> String? { media.hasDash ? url(media.id, TitleLayout.dashManifestName) : nil }
    private static func minutes(_ seconds: Double) -> Double { (seconds / 60 * 100).rounded() / 100 }
}

/// A daemon as `GET /api/nodes` shows it.
public struct NodeDocument: Codable, Sendable, Equatable {
    public var node: String
    public var http: String
    public var workers: Int
    public var running: Int
    public var lastSeen: Date

    public init(_ daemon: DaemonStatus) {
        node = daemon.node
        http = daemon.http
        workers = daemon.workers
        running = daemon.running
        lastSeen = daemon.lastSeen
    }
}

/// A job as the JSON API and `job --json` give it.
public struct JobDocument: Codable, Sendable, Equatable {
    public var id: String
    public var mediaId: String
    public var source: String
    public var preset: String
    public var state: Job.State
    public var stage: Job.Stage
    public var progress: Double
    public var speed: Double
    public var attempts: Int
    public var error: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The chunks of its video as tasks (shown for one job, `GET /api/jobs/<id>`).
    public var chunks: [Chunk]?
    /// Tracks left out, or published with cues dropped (SPEC §16).
    public var warnings: [TrackWarning]

    /// One chunk: seconds of the title, its task's state, the daemon that runs or ran it.
    public struct Chunk: Codable, Sendable, Equatable {
        public var index: Int
        public var start: Double
        public var end: Double
        public var state: String
        public var node: String?
        public var attempts: Int
    }

    /// The job with its chunks, from its tasks.
    public init(_ job: Job, tasks: [JobTask]) {
        self.init(job)
        chunks = tasks.filter { $0.kind == .chunk }.sorted { $0.number < $1.number }.map {
            Chunk(index: $0.number, start: $0.start ?? 0, end: $0.end ?? 0, state: $0.state.rawValue, node: $0.node,
                  attempts: $0.attempts)
        }
    }

    public init(_ job: Job) {
        id = job.id
        mediaId = job.mediaId
        source = job.source
        preset = job.preset
        state = job.state
        stage = job.stage
        progress = job.progress
        speed = job.speed
        attempts = job.attempts
        error = job.error
        createdAt = job.createdAt
        startedAt = job.startedAt
        finishedAt = job.finishedAt
        warnings = job.warnings
    }
}

/// The one JSON configuration of StreamVault's output: ISO 8601 dates, sorted keys.
public enum CatalogJSON {
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

}
