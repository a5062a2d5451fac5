/// What kind of title a file makes (SPEC §3 `--type`): a movie, or an episode of a series,
/// an anime or a cartoon; `game` for game footage.
public enum MediaType: String, Codable, Sendable, CaseIterable {
    case movie, series, anime, cartoon, game

    /// Whether its titles may be episodes of a series (`SxxEyy` in the name).
    public var hasEpisodes: Bool { [.series, .anime, .cartoon].contains(self) }

    /// `movie, series, anime, cartoon, game`, for error messages.
    public static var list: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
