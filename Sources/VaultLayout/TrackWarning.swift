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
        (file.isEmpty ? "" : "\(file)\(language.map { " [\($0)]" } ?? ""): ") + reason + (published ? "" : "; the title is published without it")
    }
}

extension TrackWarning {
    private enum CodingKeys: String, CodingKey { case file, language, cuesRead, cuesDropped, reason, published }

    /// Also reads the plain sentence an earlier version wrote in a job's `tracks.json`.
    public init(from decoder: Decoder) throws {
        if let sentence = try? decoder.singleValueContainer().decode(String.self) {
            self.init(file: "", language: nil, reason: sentence, published: true)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(file: try container.decode(String.self, forKey: .file), language: try container.decodeIfPresent(String.self, forKey: .language),
                  cuesRead: try container.decodeIfPresent(Int.self, forKey: .cuesRead),
                  cuesDropped: try container.decodeIfPresent(Int.self, forKey: .cuesDropped),
                  reason: try container.decode(String.self, forKey: .reason), published: try container.decode(Bool.self, forKey: .published))
    }
}
