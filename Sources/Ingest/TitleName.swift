import Foundation

/// What a file or folder name says about a title, the Plex / Jellyfin way:
/// `Title (Year)` is a movie, `Show Name - S01E02 - Episode Title` and `Show.Name.S01E02`
/// are episodes of the series "Show Name"; `Title.Year.1080p…` (release names) is a movie of
/// that year. Anything else is a movie titled after the name.
public struct TitleName: Sendable, Equatable {
    public var title: String
    public var year: Int?
    /// Set for an episode.
    public var series: String?
    public var season: Int?
    public var episode: Int?

    public var isEpisode: Bool { series != nil }

    public init(title: String, year: Int? = nil, series: String? = nil, season: Int? = nil, episode: Int? = nil) {
        self.title = title
        self.year = year
        self.series = series
        self.season = season
        self.episode = episode
    }

    /// Parses a name with or without its extension.
    public init(parsing name: String) {
        var stem = name
        let known = Set(["mp4", "mkv", "mov", "m4v", "avi", "ts", "m2ts", "mts", "webm", "wmv", "flv", "mpg", "mpeg", "m4a", "mp3", "wav", "flac", "aac"])
        // By hand: Foundation's pathExtension traps on some names ("//é", found by `make fuzz`).
        if let dot = name.lastIndex(of: "."), known.contains(name[name.index(after: dot)...].lowercased()) {
            stem = String(name[..<dot])
        }

        if let match = stem.firstMatch(of: /(?i)^(?<show>.*?)[\s._-]*S(?<season>\d{1,2})[\s._-]?E(?<episode>\d{1,3})(?<rest>.*)$/) {
            let show = Self.words(String(match.show))
            var rest = String(match.rest).trimmingCharacters(in: CharacterSet(charactersIn: " .-_"))
            if rest.contains(".") && !rest.contains(" ") { rest = "" } // release-group tags, not a title
            self.init(title: rest.isEmpty ? "Episode \(Int(match.episode)!)" : Self.words(rest),
                      series: show.isEmpty ? "Unknown series" : show,
                      season: Int(match.season), episode: Int(match.episode))
            return
        }
        if let match = stem.firstMatch(of: /^(?<title>.+?)[\s._]*[(\[](?<year>(?:19|20)\d\d)[)\]].*$/) {
            self.init(title: Self.words(String(match.title)), year: Int(match.year))
            return
        }
        if let match = stem.firstMatch(of: /^(?<title>.+?)[._](?<year>(?:19|20)\d\d)(?:[._].*)?$/) {
            self.init(title: Self.words(String(match.title)), year: Int(match.year))
            return
        }
        self.init(title: Self.words(stem))
    }

    /// Dots and underscores used as spaces become spaces.
    private static func words(_ text: String) -> String {
        let spaced = text.contains(" ") ? text : text.replacingOccurrences(of: ".", with: " ")
        return spaced.replacingOccurrences(of: "_", with: " ")
            .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
            .trimmingCharacters(in: CharacterSet(charactersIn: " -"))
    }
}
