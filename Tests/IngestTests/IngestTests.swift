import Catalog
import Foundation
import Glibc
@testable import Ingest
@testable import Packager
import Testing
import TestSupport
import VaultLayout

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

    /// Inputs `make fuzz` found crashing (Foundation's `NSString.pathExtension` trapped on them).
    @Test(arguments: ["//é", "//\u{FFFD}", "//\\x92", "a//é.mkv"])
    func namesTheFuzzerFoundParse(name: String) {
        #expect(!TitleName(parsing: name).title.isEmpty)
    }

    @Test func namesThatAreNotUTF8AreEscapedByteForByte() {
        #expect(RawName.escaped(Array("Café.mp4".utf8)) == "Café.mp4")
        #expect(RawName.escaped([0x63, 0x61, 0x66, 0xE9, 0x2E, 0x6D, 0x70, 0x34]) == "caf\\xE9.mp4")
        #expect(RawName.escaped([0x2F, 0x2F, 0x92]) == "//\\x92")
        #expect(RawName.escaped([0xC3, 0xA9, 0xFF, 0xC3]) == "é\\xFF\\xC3")
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

    @Test func onlyRegularFilesAndFoldersAreCandidatesOthersAreNeverOpened() throws {
        try Data("video".utf8).write(to: folder.appendingPathComponent("Film.mp4"))
        let outside = try Fixtures.temporaryFolder("outside").appendingPathComponent("secret.mp4")
        try Data("outside the vault".utf8).write(to: outside)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("link.mp4").path, withDestinationPath: outside.path)
        #expect(mkfifo(folder.appendingPathComponent("pipe.mp4").path, 0o644) == 0)
        #expect(IngestCandidate.scan(folder).map(\.name) == ["Film.mp4"])  // the FIFO was not opened: no hang
        let irregular = IngestCandidate.irregular(folder)
        #expect(irregular.map(\.name) == ["link.mp4", "pipe.mp4"] && irregular.map(\.kind) == [.symbolicLink, .fifo])
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

    @Test func aFileRenamedIntoTheFolderIsTakenAtOnce() throws {
        try write("copied.mp4", "1")
        try write("renamed.mp4", "1")
        var tracker = SettleTracker(settle: .seconds(5))
        tracker.arrivedWhole(["renamed.mp4"])
        let now = ContinuousClock.now
        #expect(tracker.settled(IngestCandidate.scan(folder), now: now).map(\.name) == ["renamed.mp4"])
        // Taken once: the same name renamed in again later is new news, not this one.
        #expect(tracker.settled(IngestCandidate.scan(folder), now: now + .seconds(1)).isEmpty)
        #expect(tracker.settled(IngestCandidate.scan(folder), now: now + .seconds(5)).map(\.name) == ["copied.mp4", "renamed.mp4"])
    }

    @Test func aVideoRenamedInWithoutItsSidecarWaitsForTheSettleTime() throws {
        try write("film.mkv", "v")
        try write("film.en.srt", "s")
        var tracker = SettleTracker(settle: .seconds(5))
        tracker.arrivedWhole(["film.mkv"])
        #expect(tracker.settled(IngestCandidate.scan(folder)).isEmpty)
        tracker.arrivedWhole(["film.en.srt"])
        #expect(tracker.settled(IngestCandidate.scan(folder)).map(\.entries) == [["film.mkv", "film.en.srt"]])
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
        #expect(input.warnings.count == 1 && input.warnings[0].file == "voice.m4a" && input.warnings[0].reason.contains("\"zz\"") && !input.warnings[0].published)
    }
}

/// What the daemon makes of every way a worker can end.
@Suite struct AttemptFateTests {
    func decide(_ kind: JobTask.Kind = .chunk, status: Int32 = 0, signal: Int32? = nil, last: WorkerMessage? = nil,
                job: Job.State? = .running, cancel: Bool = false, stopping: Bool = false) -> AttemptFate {
        AttemptFate.decide(kind: kind, status: status, signal: signal, last: last, jobState: job,
                           cancelRequested: cancel, stopping: stopping, source: "a.mp4")
    }

    static let closing: [(JobTask.Kind, WorkerMessage)] = [
        (.plan, .planned), (.tracks, .tracksDone(segments: 3, warnings: [])),
        (.chunk, .chunkDone(try! JSONDecoder().decode(ChunkResultStub.self, from: Data(ChunkResultStub.json.utf8)).result)),
    ]

    @Test func eachKindIsDoneOnlyWithItsOwnClosingMessage() {
        for (kind, message) in Self.closing {
            #expect(decide(kind, last: message) == .done(message))
            for (other, _) in Self.closing where other != kind {
                #expect(decide(other, last: message) == .retry("a.mp4: the worker ended without saying it was done"))
            }
        }
        #expect(decide(.finish, last: nil) == .retry("a.mp4: the worker ended without saying it was done"))
        #expect(decide(.chunk, last: .progress(fraction: 1, speed: 1)) == .retry("a.mp4: the worker ended without saying it was done"))
    }

    @Test func aJobThatEndedMeanwhileOutranksEverything() {
        for state in [Job.State.failed, .cancelled, .duplicate, .succeeded] {
            #expect(decide(status: 0, last: .planned, job: state) == .jobEnded)
            #expect(decide(status: 1, signal: SIGKILL, job: state, cancel: true, stopping: true) == .jobEnded)
        }
    }

    @Test func aCatalogThatCannotSayLeavesTheAttemptUnrecorded() {
        #expect(AttemptFate.decide(kind: .chunk, status: 0, signal: nil, last: Self.closing[2].1, jobState: nil,
                                   cancelRequested: false, stopping: false, source: "a.mp4") == .unrecorded)
        #expect(AttemptFate.decide(kind: .chunk, status: 15, signal: SIGTERM, last: nil, jobState: nil,
                                   cancelRequested: true, stopping: true, watchdog: "stalled", source: "a.mp4") == .unrecorded)
    }

    @Test func cancelAndShutdownComeBeforeFailures() {
        #expect(decide(status: WorkerExit.interrupted, cancel: true) == .cancelled)
        #expect(decide(status: 1, signal: SIGTERM, cancel: true, stopping: true) == .cancelled)
        #expect(decide(status: WorkerExit.interrupted, stopping: true) == .requeued)
        #expect(decide(status: 143, signal: SIGTERM, stopping: true) == .requeued)
        #expect(decide(status: WorkerExit.interrupted, stopping: false) == .retry("a.mp4: the worker exited with status 3"))
    }

    @Test func aWorkerStoppedByTheWatchdogFailsItsAttemptWithTheReason() {
        func stopped(_ reason: String, signal: Int32? = SIGKILL, last: WorkerMessage? = nil, cancel: Bool = false,
                     stopping: Bool = false, job: Job.State = .running) -> AttemptFate {
            AttemptFate.decide(kind: .chunk, status: 9, signal: signal, last: last, jobState: job, cancelRequested: cancel,
                               stopping: stopping, watchdog: reason, source: "a.mp4")
        }
        #expect(stopped("stalled: no progress for 120 s") == .retry("a.mp4: stalled: no progress for 120 s"))
        #expect(stopped("used 5.1 GiB of memory", last: .failed("out of memory")) == .retry("a.mp4: used 5.1 GiB of memory"))
        #expect(stopped("stalled", cancel: true) == .cancelled)
        #expect(stopped("stalled", signal: SIGTERM, stopping: true) == .requeued)
        #expect(stopped("stalled", job: .failed) == .jobEnded)
    }

    @Test func signalsAndExitStatusesSayRetryOrFail() {
        #expect(decide(status: 9, signal: SIGKILL) == .retry("a.mp4: the worker was killed by signal 9 (SIGKILL) (out of memory?)"))
        #expect(decide(status: 11, signal: SIGSEGV, last: .failed("ignored")) == .retry("a.mp4: the worker was killed by signal 11 (SIGSEGV)"))
        #expect(decide(status: WorkerExit.permanentFailure, last: .failed("a.mp4: not a media file")) == .fail("a.mp4: not a media file"))
        #expect(decide(status: WorkerExit.permanentFailure) == .fail("a.mp4: failed"))
        #expect(decide(status: WorkerExit.temporaryFailure, last: .failed("a.mp4: disk full")) == .retry("a.mp4: disk full"))
        #expect(decide(status: 42) == .retry("a.mp4: the worker exited with status 42"))
    }
}

/// The worker's line protocol, as both ends use it.
@Suite struct WorkerChannelTests {
    @Test func messagesCrossWholeWhateverHowTheBytesArriveAndBadLinesAreDropped() throws {
        let sent: [WorkerMessage] = [.progress(fraction: 0.5, speed: 2.5), .segmentsReady(3), .digest("ab12"), .planned,
                                     .tracksDone(segments: 7, warnings: []), .failed("a.mp4: not a media file")]
        var bytes = Data()
        for message in sent { bytes += try WorkerChannel.line(message) }
        bytes = Data("{not json}\n".utf8) + bytes + Data("{\"planned\": {}".utf8)  // a bad line first, a partial one last
        var reader = WorkerChannel.Reader()
        var received: [WorkerMessage] = []
        var index = bytes.startIndex
        while index < bytes.endIndex {  // 5 bytes at a time, as a pipe may deliver them
            let next = min(index + 5, bytes.endIndex)
            received += reader.read(bytes[index..<next])
            index = next
        }
        #expect(received == sent)
        #expect(reader.read(Data("}\n".utf8)) == [.planned])  // the partial line, once whole
    }
}

/// A chunk result as a worker would send it.
struct ChunkResultStub: Decodable {
    static let json = #"{"result": {"index": 1, "startFrame": 180, "endFrame": 540, "firstSegment": 1, "segments": 2}}"#
    let result: ChunkResult
}

/// A title playable while packaged that turns out to hold content already published is
/// withdrawn: record and folder gone, its file kept beside the existing title's original.
@Suite struct DuplicateWithdrawalTests {
    let vault: Vault
    let catalog: any CatalogStore
    let publisher: Publisher

    init() async throws {
        vault = Vault(root: try Fixtures.temporaryFolder("vault"))
        try vault.create()
        catalog = try await CatalogLocation.sqlite(path: vault.catalog.path).open()
        publisher = Publisher(vault: vault, catalog: catalog)
    }

    /// A job whose title is playable (processing), with its input and a segment on disk.
    func playableJob(digest: String, name: String) async throws -> Job {
        let job = Job(source: name, origin: .ingest, preset: "default", maxAttempts: 3)
        try FileManager.default.createDirectory(at: vault.input(job: job.id), withIntermediateDirectories: true)
        try Data(name.utf8).write(to: vault.input(job: job.id).appendingPathComponent(name))
        try await catalog.enqueue(job)
        _ = try await catalog.claimNextTask(owner: LeaseOwner(host: "test", pid: 1, nonce: "me"), node: "n", lease: .seconds(30))
        try FileManager.default.createDirectory(at: vault.media(job.mediaId).appendingPathComponent("720p"), withIntermediateDirectories: true)
        try Data("segment".utf8).write(to: vault.media(job.mediaId).appendingPathComponent("720p/seg_00001.m4s"))
        let media = Media(id: job.mediaId, type: .movie, title: name, durationSeconds: 60, digest: "", source: name,
                          hasPoster: false, hasStoryboard: false)
        try await catalog.publishProcessing(PublishedTitle(media: media, series: nil, renditions: [], audio: [], subtitles: []))
        try await catalog.setDigest(jobID: job.id, digest: digest)
        return job
    }

    @Test func aDuplicateFoundWhileProcessingWithdrawsThePlayableTitle() async throws {
        let first = try await playableJob(digest: "same", name: "first.mp4")
        let second = try await playableJob(digest: "same", name: "second.mp4")
        #expect(try await catalog.mediaStatus(id: second.mediaId) == .processing)
        let existing = try #require(try await catalog.mediaID(digest: "same", before: second.mediaId))
        #expect(existing == first.mediaId)
        #expect(try await catalog.mediaID(digest: "same", before: first.mediaId) == nil)
        try await publisher.duplicate(second, of: existing)
        #expect(try await catalog.mediaStatus(id: second.mediaId) == nil)
        #expect(!FileManager.default.fileExists(atPath: vault.media(second.mediaId).path))
        let ended = try #require(try await catalog.job(id: second.id))
        #expect(ended.state == .duplicate && ended.mediaId == first.mediaId)
        #expect(try FileManager.default.contentsOfDirectory(atPath: vault.originals(first.mediaId).path) == ["second.mp4"])
        #expect(try await catalog.mediaStatus(id: first.mediaId) == .processing)
    }

    @Test func aDuplicateFoundAtTheEndWithdrawsTheTitleToo() async throws {
        let first = try await playableJob(digest: "same", name: "first.mp4")
        let second = try await playableJob(digest: "same", name: "second.mp4")
        let result = TranscodeResult(input: "", output: "", preset: "default", duration: 60, frameRate: 30, video: [], audio: [],
                                     subtitles: [], poster: nil, storyboard: nil, warnings: [], elapsed: 1, speed: 60)
        #expect(try await publisher.publish(first, result: result) == .published(mediaId: first.mediaId))
        #expect(try await publisher.publish(second, result: result) == .duplicate(of: first.mediaId))
        #expect(try await catalog.mediaStatus(id: second.mediaId) == nil)
        #expect(!FileManager.default.fileExists(atPath: vault.media(second.mediaId).path))
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: vault.originals(first.mediaId).path)) == ["first.mp4", "second.mp4"])
    }
}

@Suite struct ContentDigestTests {
    /// Checked against coreutils' `sha256sum`: an empty file, and one of 2.5 MiB + 7 bytes
    /// (several read blocks, the last one short).
    @Test(arguments: [0, (5 << 19) + 7])
    func digestIsTheSHA256OfTheWholeFile(size: Int) throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("digest-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        var generator = SystemRandomNumberGenerator()
        try Data((0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: file)
        let reference = try runProcess(URL(fileURLWithPath: "/usr/bin/sha256sum"), [file.path])
        #expect(try ContentDigest.sha256(ofFileAt: file.path) == String(reference.stdout.prefix(64)))
    }
}
