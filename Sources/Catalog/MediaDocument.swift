import Foundation

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
        public var sources: [Source]
        public var subtitles: [Subtitle]
        public var dubbing: [Dub]
    }

    public struct Season: Codable, Sendable, Equatable {
        public var number: Int
        public var episodes: [Episode]
    }

    public var id: String
    public var title: String
    public var originalTitle: String
    public var type: String
    public var genre: [String]
    public var year: Int?
    public var description: String
    public var duration: Double
    public var durationSeconds: Double
    public var poster: String?
    public var hls: String?
    public var storyboard: String?
    public var sources: [Source]
    public var subtitles: [Subtitle]
    public var dubbing: [Dub]
    public var seasons: [Season]
    /// "processing" while it is packaged (already playable), then "ready".
    public var status: String
    /// 0…1 while processing.
    public var progress: Double?
    public var createdAt: Date
    public var updatedAt: Date
}

/// A job as the JSON API and `job --json` give it.
public struct JobDocument: Codable, Sendable, Equatable {
    public var id: String
    public var mediaId: String
    public var source: String
    public var preset: String
    public var state: Job.State
    public var stage: String
    public var progress: Double
    public var speed: Double
    public var attempts: Int
    public var error: String?
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The chunks of its video as tasks (shown for one job, `GET /api/jobs/<id>`).
    public var chunks: [Chunk]?

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
