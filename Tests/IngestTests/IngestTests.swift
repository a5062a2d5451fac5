import Catalog
import Foundation
@testable import Ingest
import Testing
import TestSupport

@Suite struct TitleNameTests {
    @Test(arguments: [
        ("The Matrix (1999).mkv", TitleName(title: "The Matrix", year: 1999)),
        ("Amélie.2001.mp4", TitleName(title: "Amélie", year: 2001)),
        ("Blade.Runner.1982.1080p.BluRay.x264.mkv", TitleName(title: "Blade Runner", year: 1982)),
        ("1917.mkv", TitleName(title: "1917")),
        ("Blade.Runner.[1982].mp4", TitleName(title: "Blade Runner", year: 1982)),
        ("Show Name - S01E02 - The Second One.mkv", TitleName(title: "The Second One", series: "Show Name", season: 1, episode: 2)),
        ("Show.Name.S01E02.mkv", TitleName(title: "Episode 2", series: "Show Name", season: 1, episode: 2)),
        ("show_name_s2e10.1080p.WEB.mkv", TitleName(title: "Episode 10", series: "show name", season: 2, episode: 10)),
        ("holiday video.mov", TitleName(title: "holiday video")),
    ])
    func namesSayWhatTheTitleIs(name: String, expected: TitleName) {
        #expect(TitleName(parsing: name) == expected)
    }
}

@Suite struct IngestFolderTests {
    let folder: URL

    init() throws { folder = try Fixtures.temporaryFolder("ingest") }

    func write(_ name: String, _ text: String = "data") throws {
        let url = folder.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    @Test func hiddenAndPartialFilesAreNotCandidatesAndSidecarsTravelWithTheirVideo() throws {
        for name in ["Movie (2020).mkv", "Movie (2020).en.srt", "Movie (2020).es.forced.srt", "Movie (2020).fr.m4a",
                     ".hidden.mp4", "download.mp4.part", "clip.mp4.crdownload", "notes.tmp", "backup.mp4~", "lonely.en.srt"] {
            try write(name)
        }
        let candidates = IngestCandidate.scan(folder)
        #expect(candidates.map(\.name) == ["Movie (2020).mkv"])
        #expect(Set(candidates[0].entries) == ["Movie (2020).mkv", "Movie (2020).en.srt", "Movie (2020).es.forced.srt", "Movie (2020).fr.m4a"])
    }

    @Test func anAudioFileIsADubBesideItsVideoAndATitleAlone() throws {
        for name in ["Movie.mkv", "Movie.fr.m4a", "song.m4a", "podcast.mp3", "notes.en.srt"] { try write(name) }
        let candidates = IngestCandidate.scan(folder)
        #expect(candidates.map(\.name) == ["Movie.mkv", "podcast.mp3", "song.m4a"])
        #expect(candidates[0].entries == ["Movie.mkv", "Movie.fr.m4a"] && candidates[2].entries == ["song.m4a"])
    }

    @Test func aFolderIsOneBundleCompleteOnlyWithoutPartialFiles() throws {
        try write("Season Pack/episode.mkv")
        try write("Season Pack/episode.mkv.part")
        #expect(IngestCandidate.scan(folder).map(\.isComplete) == [false])
        try FileManager.default.removeItem(at: folder.appendingPathComponent("Season Pack/episode.mkv.part"))
        let bundle = try #require(IngestCandidate.scan(folder).first)
        #expect(bundle.isComplete && bundle.entries == ["Season Pack"] && bundle.signature.keys.contains("Season Pack/episode.mkv"))
    }

    @Test func aCandidateSettlesOnlyAfterItStopsChanging() throws {
        try write("a.mp4", "1")
        var tracker = SettleTracker(settle: .seconds(5))
        let start = ContinuousClock.now
        #expect(tracker.settled(IngestCandidate.scan(folder), now: start).isEmpty)
        #expect(tracker.settled(IngestCandidate.scan(folder), now: start + .seconds(4)).isEmpty)
        try write("a.mp4", "12")  // it grew: the clock starts again
        #expect(tracker.settled(IngestCandidate.scan(folder), now: start + .seconds(6)).isEmpty)
        #expect(tracker.settled(IngestCandidate.scan(folder), now: start + .seconds(10)).isEmpty)
        #expect(tracker.settled(IngestCandidate.scan(folder), now: start + .seconds(11)).map(\.name) == ["a.mp4"])
    }

    @Test func aJobsInputFindsItsVideoSidecarsAndTheBundlesName() throws {
        try write("Heat (1995)/heat.mkv", String(repeating: "v", count: 1000))
        try write("Heat (1995)/heat.de.srt")
        try write("Heat (1995)/sample.mkv", "tiny")
        try write("Heat (1995)/extra.fr.srt")
        let input = try JobInput(folder: folder, explicit: [])
        #expect(input.media.lastPathComponent == "heat.mkv")
        #expect(input.sidecars.map(\.language.tag) == ["de"])
        #expect(input.titleSource == "Heat (1995)")
        #expect(TitleName(parsing: input.titleSource) == TitleName(title: "Heat", year: 1995))
    }

    @Test func explicitSidecarsKeepTheirLanguageAndABadCodeIsAWarning() throws {
        try write("talk.mp4", String(repeating: "v", count: 100))
        try write("subs.srt")
        try write("voice.m4a")
        try write("scene:2.srt")
        let input = try JobInput(folder: folder, explicit: [
            Job.Track(kind: .subtitle, file: "subs.srt", language: "pt-BR"), Job.Track(kind: .audio, file: "voice.m4a", language: "zz"),
            Job.Track(kind: .subtitle, file: "scene:2.srt", language: nil),
        ])
        #expect(input.media.lastPathComponent == "talk.mp4")
        #expect(input.sidecars.map(\.language.tag) == ["pt-BR", "und"])
        #expect(input.sidecars.last?.path.hasSuffix("scene:2.srt") == true)
        #expect(input.warnings.count == 1 && input.warnings[0].contains("voice.m4a") && input.warnings[0].contains("\"zz\""))
    }
}
