/// What went wrong with one audio or subtitle track of a title (SPEC §16), as the tracks
/// task finds it and `GET /api/jobs/<id>` shows it: the track is published with the cues
/// that could be read, or left out when none could (`cuesRead` 0, or nil for audio).
public struct TrackWarning: Codable, Sendable, Equatable {
    /// The sidecar's file name, or the source's with the stream (`movie.mkv#3`).
    public var file: String
    public var language: String?
    public var cuesRead: Int?
    public var cuesDropped: Int?
    /// Why, in words a user understands (the first cues dropped, with their lines).
    public var reason: String
    /// Whether the track is in the title.
    public var published: Bool

    public init(file: String, language: String?, cuesRead: Int? = nil, cuesDropped: Int? = nil, reason: String, published: Bool) {
        self.file = file
        self.language = language
        self.cuesRead = cuesRead
        self.cuesDropped = cuesDropped
        self.reason = reason
        self.published = published
    }
}

extension TrackWarning: CustomStringConvertible {
    /// One line for a log or `transcode`'s output.
    public var description: String {
        "\(file)\(language.map { " [\($0)]" } ?? ""): \(reason)" + (published ? "" : "; the title is published without it")
    }
}
