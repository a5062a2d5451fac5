import Catalog
import Foundation
import Testing
import TestSupport

/// Playback starts, trending and similar titles (SPEC §15), the same on every store.
@Suite struct DiscoveryTests {
    let titles = TitleCatalogTests()

    func edit(_ catalog: any CatalogStore, _ id: String, _ change: (inout MetadataEdit) -> Void) async throws {
        var edit = MetadataEdit()
        change(&edit)
        #expect(try await catalog.edit(id: id, try edit.validated()))
    }

    @Test(arguments: Engine.allCases) func startsCountOncePerViewerAndHourAndTrendingLooksAWeekBack(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let (movie, _) = try await titles.publish(catalog, "Movie", digest: "m")
        let (pilot, _) = try await titles.publish(catalog, "Pilot", digest: "p", series: "Show", season: 1, episode: 1, type: .series)
        let (second, _) = try await titles.publish(catalog, "Second", digest: "s", series: "Show", season: 1, episode: 2, type: .series)
        let (quiet, _) = try await titles.publish(catalog, "Quiet", digest: "q")
        let now = Date()
        try await catalog.recordPlaybackStarts([
            PlaybackStart(mediaId: movie.mediaId, viewer: "address:10.0.0.1", at: now),
            PlaybackStart(mediaId: movie.mediaId, viewer: "address:10.0.0.1", at: now),  // the same hour: not again
            PlaybackStart(mediaId: pilot.mediaId, viewer: "address:10.0.0.1", at: now),
            PlaybackStart(mediaId: pilot.mediaId, viewer: "viewer:ada", at: now),
            PlaybackStart(mediaId: second.mediaId, viewer: "viewer:ada", at: now),
            PlaybackStart(mediaId: quiet.mediaId, viewer: "viewer:ada", at: now.addingTimeInterval(-8 * 86400)),  // a week ago and more
        ])
        try await catalog.recordPlaybackStarts([PlaybackStart(mediaId: movie.mediaId, viewer: "address:10.0.0.1", at: now)])
        #expect(try await catalog.document(id: movie.mediaId)?.views == 1)
        #expect(try await catalog.document(id: pilot.mediaId)?.views == 2)
        let show = try #require(try await catalog.list(type: .series, genre: nil, page: 1, limit: 5).items.first)
        #expect(show.views == 3 && show.seasons.first?.episodes.map(\.views) == [2, 1])
        #expect(try await catalog.document(id: quiet.mediaId)?.views == 1)
        let trending = try await catalog.trendingDocuments(since: now.addingTimeInterval(-7 * 86400), limit: 10)
        #expect(trending.map(\.id) == [show.id, movie.mediaId], "the series by its episodes' starts; the old start not counted")
        _ = try await catalog.delete(id: movie.mediaId)
        #expect(try await catalog.trendingDocuments(since: now.addingTimeInterval(-7 * 86400), limit: 10).map(\.id) == [show.id])
    }

    @Test(arguments: Engine.allCases) func similarTitlesShareSeriesThenPeopleGenresTagsAndWords(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let (subject, _) = try await titles.publish(catalog, "Subject", digest: "1", series: "Saga", season: 1, episode: 1, type: .series,
                                                    description: "A lighthouse keeper on a stormy island")
        let (sibling, _) = try await titles.publish(catalog, "Sibling", digest: "2", series: "Saga", season: 1, episode: 2, type: .series)
        let (sameDirector, _) = try await titles.publish(catalog, "Same director", digest: "3")
        let (sameGenre, _) = try await titles.publish(catalog, "Same genre", digest: "4", genre: ["Drama"])
        let (sameWords, _) = try await titles.publish(catalog, "Same words", digest: "5", description: "The island lighthouse, abandoned")
        let (unrelated, _) = try await titles.publish(catalog, "Unrelated", digest: "6", genre: ["Comedy"], description: "Cats")
        try await edit(catalog, subject.mediaId) { ($0.director, $0.cast, $0.genre, $0.tags) = ("Ingrid", ["Lars"], ["drama"], ["sea"]) }
        try await edit(catalog, sameDirector.mediaId) { $0.director = "ingrid" }
        try await edit(catalog, sameGenre.mediaId) { $0.tags = ["sea"] }
        let similar = try #require(try await catalog.similar(to: subject.mediaId, limit: 10)).map(\.id)
        #expect(similar == [sibling.mediaId, sameDirector.mediaId, sameGenre.mediaId, sameWords.mediaId], "\(similar)")
        #expect(!similar.contains(unrelated.mediaId))
        #expect(try await catalog.similar(to: "nope", limit: 10) == nil)
    }
}
