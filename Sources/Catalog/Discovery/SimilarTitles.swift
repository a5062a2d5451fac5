import Foundation

/// `GET /api/media/<id>/similar` (SPEC §15): titles that share the subject's series, then
/// its director, cast, genres and tags, then words of its description, best first; ties by
/// playback starts. Scored here, the same on every engine: an episode's fellow episodes,
/// and the most recently updated movies and series (`candidatesRead`).
public enum SimilarTitles {
    /// A title that may be similar, and the series it is an episode of.
    struct Candidate {
        let document: MediaDocument
        let seriesId: String?
    }

    /// How many movies and series, the most recently updated first, are compared.
    public static let candidatesRead = 1000

    /// Points per thing shared.
    static let weights = (series: 100, director: 8, cast: 4, genre: 3, tag: 2, word: 1)
    /// Description words counted at most.
    static let wordsCounted = 5

    /// The candidates that share anything with `subject` (an episode of `seriesId`, if
    /// given), best first; never the subject, nor its series.
    static func rank(_ subject: MediaDocument, seriesId: String?, among candidates: [Candidate], limit: Int) -> [MediaDocument] {
        let words = Self.words(subject.description)
        return candidates
            .filter { $0.document.id != subject.id && $0.document.id != seriesId }
            .map { ($0.document, score($0, against: subject, seriesId: seriesId, words: words)) }
            .filter { $0.1 > 0 }
            .sorted { ($0.1, $0.0.views, $0.0.updatedAt) > ($1.1, $1.0.views, $1.0.updatedAt) }
            .prefix(limit).map(\.0)
    }

    static func score(_ entry: Candidate, against subject: MediaDocument, seriesId: String?, words: Set<String>) -> Int {
        func shared(_ a: [String], _ b: [String]) -> Int { Set(a.map { $0.lowercased() }).intersection(b.map { $0.lowercased() }).count }
        let candidate = entry.document
        var score = 0
        if let seriesId, entry.seriesId == seriesId { score += weights.series }
        if !subject.director.isEmpty, subject.director.lowercased() == candidate.director.lowercased() { score += weights.director }
        score += weights.cast * shared(subject.cast, candidate.cast)
        score += weights.genre * shared(subject.genre, candidate.genre)
        score += weights.tag * shared(subject.tags, candidate.tags)
        score += weights.word * min(wordsCounted, words.intersection(Self.words(candidate.description)).count)
        return score
    }

    /// A description's telling words: four letters or more, folded, common ones left out.
    static func words(_ text: String) -> Set<String> {
        Set(text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
            .split { !$0.isLetter && !$0.isNumber }.map(String.init)
            .filter { $0.count >= 4 && !stopWords.contains($0) })
    }

    static let stopWords: Set<String> = [
        "that", "this", "with", "from", "they", "their", "there", "have", "when", "where", "which", "while", "into",
        "about", "after", "before", "over", "under", "what", "will", "would", "were", "been", "being", "them", "than",
        "then", "only", "also", "more", "most", "some", "such", "each", "very", "just", "your", "film", "story",
    ]
}

extension CatalogStore {
    /// Titles similar to `id` (`SimilarTitles`); nil when there is no such title.
    public func similar(to id: String, limit: Int) async throws -> [MediaDocument]? {
        guard let entry = try await entry(id: id) else { return nil }
        var seriesId: String?
        var candidates: [SimilarTitles.Candidate] = []
        if case .title(let record) = entry, let series = record.media.seriesId, case .series(_, let episodes)? = try await self.entry(id: series) {
            seriesId = series
            candidates = episodes.map { SimilarTitles.Candidate(document: MediaDocument(.title($0)), seriesId: series) }
        }
        let (recent, _) = try await list(type: nil, genre: nil, page: 1, limit: SimilarTitles.candidatesRead)
        candidates += recent.map { SimilarTitles.Candidate(document: $0, seriesId: nil) }
        return SimilarTitles.rank(MediaDocument(entry), seriesId: seriesId, among: candidates, limit: limit)
    }

    /// `trending` as documents.
    public func trendingDocuments(since: Date, limit: Int) async throws -> [MediaDocument] {
        try await trending(since: since, limit: limit).map(MediaDocument.init)
    }
}
