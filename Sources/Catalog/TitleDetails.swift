import Foundation

/// What a platform says of a title beyond its names, year, description and genre (SPEC §15),
/// kept with the movie, episode or series as one JSON value.
public struct TitleDetails: Codable, Sendable, Equatable {
    public var cast: [String] = []
    public var director = ""
    public var studio = ""
    /// Where it was made, as the platform writes it (an ISO 3166 code or a name).
    public var country = ""
    /// Its original language, a BCP 47 tag.
    public var language = ""
    public var tags: [String] = []

    public init() {}

    /// How a title with no details is stored (the migrations' default; frozen).
    static let emptyJSON = #"{"cast":[],"country":"","director":"","language":"","studio":"","tags":[]}"#
}

/// A movie, episode or series, as far as its metadata goes: what `MetadataEdit` changes.
public protocol DescribedTitle {
    var title: String { get set }
    var originalTitle: String { get set }
    var description: String { get set }
    var genre: [String] { get set }
    var year: Int? { get set }
    var details: TitleDetails { get set }
    var updatedAt: Date { get set }
}

extension Media: DescribedTitle {}
extension Series: DescribedTitle {}

extension DescribedTitle {
    /// Takes `other`'s metadata (a platform's edits of a title made while it was processing).
    public mutating func describe(as other: some DescribedTitle) {
        (title, originalTitle, description, genre, year, details) =
            (other.title, other.originalTitle, other.description, other.genre, other.year, other.details)
    }
}
