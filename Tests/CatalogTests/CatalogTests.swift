import Catalog
import Foundation
import Testing
import VaultLayout
import TestSupport

/// The job queue, the same tests on every store: a SQLite file and a PostgreSQL database.
@Suite struct JobQueueTests {
    func job(_ source: String, createdAt: Date = Date()) -> Job {
        Job(source: source, origin: .submit, preset: "default", maxAttempts: 3, createdAt: createdAt)
    }

    func claim(_ catalog: any CatalogStore, _ owner: LeaseOwner = "me", lease: Duration = .seconds(30)) async throws -> JobTask? {
        try await catalog.claimNextTask(owner: owner, node: "node-\(owner.nonce)", lease: lease)
    }

    /// A job planned into `chunks` chunks, a tracks task and a finish.
    func plannedJob(_ catalog: any CatalogStore, chunks: Int) async throws -> Job {
        let planned = job("planned.mp4", createdAt: Date(timeIntervalSinceNow: -100))
        try await catalog.enqueue(planned)
        let plan = try #require(try await claim(catalog))
        #expect(plan.kind == .plan)
        var tasks = (0..<chunks).map { JobTask(jobId: planned.id, kind: .chunk, number: $0, start: Double($0 * 6), end: Double($0 * 6 + 6)) }
        tasks += [JobTask(jobId: planned.id, kind: .tracks), JobTask(jobId: planned.id, kind: .finish, state: .waiting)]
        try await catalog.planned(jobID: planned.id, tasks: tasks)
        try await catalog.completeTask(plan.id, owner: "me", segments: 0)
        return planned
    }

    @Test(arguments: Engine.allCases) func concurrentClaimsFromTwoConnectionsNeverTakeOneTaskTwice(_ engine: Engine) async throws {
        let store = try TestCatalog(engine)
        let first = try await store.open(), second = try await store.open()
        for index in 0..<30 { try await first.enqueue(job("file\(index).mp4", createdAt: Date(timeIntervalSinceNow: Double(index)))) }
        let claimed = try await withThrowingTaskGroup(of: [TaskID].self) { group in
            for worker in 0..<8 {
                let catalog = worker.isMultiple(of: 2) ? first : second
                group.addTask {
                    var mine: [TaskID] = []
                    let owner = LeaseOwner(host: "test", pid: 1, nonce: "worker\(worker)")
                    while let task = try await catalog.claimNextTask(owner: owner, node: "n", lease: .seconds(30)) {
                        mine.append(task.id)
                    }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(claimed.count == 30 && Set(claimed).count == 30)
        #expect(try await first.jobs(state: .running).count == 30)
    }

    @Test(arguments: Engine.allCases) func plansComeFirstThenWhatMakesTitlesPlayableThenTheRest(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let planned = try await plannedJob(catalog, chunks: 3)
        let newer = job("new.mp4")
        try await catalog.enqueue(newer)
        var order: [String] = []
        while let task = try await claim(catalog) { order.append("\(task.jobId == newer.id ? "new" : "old"):\(task.kind.rawValue):\(task.number)") }
        #expect(order == ["new:plan:0", "old:chunk:0", "old:tracks:0", "old:chunk:1", "old:chunk:2"])
        let first = try #require(try await catalog.tasks(jobID: planned.id).first { $0.kind == .chunk && $0.number == 0 })
        #expect(first.node == "node-me" && first.attempts == 1 && first.leaseOwner == "me")
    }

    @Test(arguments: Engine.allCases) func aLightSlotTakesOnlyLightTasks(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let planned = try await plannedJob(catalog, chunks: 2)
        let light = try #require(try await catalog.claimNextTask(owner: "me", node: "n", lease: .seconds(30), kinds: JobTask.Kind.light))
        #expect(light.kind == .tracks && light.jobId == planned.id)
        #expect(try await catalog.claimNextTask(owner: "me", node: "n", lease: .seconds(30), kinds: JobTask.Kind.light) == nil)
        #expect(try await claim(catalog)?.kind == .chunk)
    }

    @Test(arguments: Engine.allCases) func theFinishWaitsForEveryChunkAndTheTracks(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let planned = try await plannedJob(catalog, chunks: 2)
        var running: [JobTask] = []
        while let task = try await claim(catalog) { running.append(task) }
        #expect(running.map(\.kind) == [.chunk, .tracks, .chunk])
        for task in running.dropLast() { try await catalog.completeTask(task.id, owner: "me", segments: 1) }
        #expect(try await claim(catalog) == nil)
        try await catalog.completeTask(running.last!.id, owner: "me", segments: 2)
        #expect(try await claim(catalog)?.kind == .finish)
        let job = try #require(try await catalog.job(id: planned.id))
        #expect(job.progress >= 0.95 && job.progress < 1 && job.stage == .finishing)
    }

    @Test(arguments: Engine.allCases) func anExpiredLeaseSendsTheTaskBackToTheQueue(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        try await catalog.enqueue(job("a.mp4"))
        _ = try await claim(catalog, "dead daemon", lease: .milliseconds(50))
        try await Task.sleep(for: .milliseconds(100))
        let requeued = try await catalog.requeueAbandonedTasks()
        #expect(requeued.map(\.state) == [.queued])
        let again = try #require(try await claim(catalog, "b"))
        #expect(again.attempts == 2 && again.leaseOwner == "b" && again.node == "node-b")
    }

    @Test(arguments: Engine.allCases) func aLiveLeaseIsNotTakenAway(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        try await catalog.enqueue(job("a.mp4"))
        _ = try await claim(catalog, "alive")
        #expect(try await catalog.requeueAbandonedTasks().isEmpty)
        #expect(try await claim(catalog, "other") == nil)
    }

    @Test(arguments: Engine.allCases) func onlyTheTasksADaemonSupervisesKeepTheirLease(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        try await catalog.enqueue(job("a.mp4"))
        try await catalog.enqueue(job("b.mp4"))
        let watched = try #require(try await claim(catalog, lease: .milliseconds(300)))
        let unrecorded = try #require(try await claim(catalog, lease: .milliseconds(300)))
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await catalog.renewLeases([watched.id, "x:plan:0"], owner: "me", lease: .seconds(30)) == [watched.id])
        #expect(try await catalog.renewLeases([unrecorded.id], owner: "someone else", lease: .seconds(30)).isEmpty)
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await catalog.requeueAbandonedTasks().map(\.id) == [unrecorded.id])
        #expect(try await claim(catalog, "b")?.id == unrecorded.id)
    }

    @Test(arguments: Engine.allCases) func aRetryWaitsForItsTimeAndKeepsTheError(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        try await catalog.enqueue(job("a.mp4"))
        let claimed = try #require(try await claim(catalog))
        try await catalog.retryTask(claimed.id, owner: "me", error: "a.mp4: disk full", notBefore: Date(timeIntervalSinceNow: 3600))
        #expect(try await claim(catalog) == nil)
        let waiting = try #require(try await catalog.job(id: claimed.jobId))
        #expect(waiting.state == .running && waiting.error == "a.mp4: disk full" && waiting.stage == .waitingToRetry)
    }

    @Test(arguments: Engine.allCases) func cancelEndsAnIdleJobAndFlagsOneWithRunningTasks(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        try await catalog.enqueue(job("running.mp4", createdAt: Date(timeIntervalSinceNow: -10)))
        let queued = job("queued.mp4")
        try await catalog.enqueue(queued)
        let running = try #require(try await claim(catalog))
        #expect(try await catalog.cancelJob(id: queued.id)?.state == .cancelled)
        #expect(try await catalog.cancelJob(id: running.jobId)?.cancelRequested == true)
        #expect(try await catalog.tasksToStop(owner: "me") == [running.id])
        #expect(try await catalog.cancelJob(id: "missing") == nil)
        #expect(try await catalog.jobCounts() == [.cancelled: 1, .running: 1])
        #expect(try await claim(catalog) == nil)
    }

    @Test(arguments: Engine.allCases) func endingAJobCancelsItsTasksThatDidNotRun(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let planned = try await plannedJob(catalog, chunks: 2)
        let chunk = try #require(try await claim(catalog))
        try await catalog.finishJob(id: planned.id, state: .failed, error: "broken", mediaId: nil)
        let states = try await catalog.tasks(jobID: planned.id).map(\.state)
        #expect(states.filter { $0 == .cancelled }.count == 3 && states.contains(.running))
        #expect(try await catalog.tasksToStop(owner: "me") == [chunk.id])
        #expect(try await claim(catalog) == nil)
        // Its worker stopped, the running task is released: cancelled, not queued again.
        try await catalog.releaseTask(chunk.id, owner: "me")
        let ended = try await catalog.tasks(jobID: planned.id)
        #expect(ended.allSatisfy { $0.state == .cancelled || $0.kind == .plan } && ended.allSatisfy { $0.leaseOwner == nil }, "\(ended)")
        #expect(try await catalog.runningTasks().isEmpty)
        #expect(try await catalog.renewLeases([chunk.id], owner: "me", lease: .seconds(30)).isEmpty)
    }

    @Test(arguments: Engine.allCases) func releaseRequeuesWithoutCountingTheAttempt(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        try await catalog.enqueue(job("a.mp4"))
        let running = try #require(try await claim(catalog))
        try await catalog.releaseTask(running.id, owner: "me")
        let released = try #require(try await catalog.tasks(jobID: running.jobId).first)
        #expect(released.state == .queued && released.attempts == 0 && released.leaseOwner == nil)
        #expect(try await catalog.job(id: running.jobId)?.state == .queued)
    }
}

/// Titles, series, search and listing, the same tests on every store.
@Suite struct TitleCatalogTests {
    /// Queues and claims a job, then publishes a title for it.
    @discardableResult
    func publish(_ catalog: any CatalogStore, _ title: String, digest: String, series: String? = nil, season: Int? = nil, episode: Int? = nil,
                 type: MediaType = .movie, genre: [String] = [], description: String = "", dash: Bool = true) async throws -> (Job, PublishOutcome) {
        let job = Job(source: "\(title).mp4", origin: .ingest, preset: "default", maxAttempts: 3)
        try await catalog.enqueue(job)
        _ = try await catalog.claimNextTask(owner: "me", node: "n", lease: .seconds(30))
        var media = Media(id: job.mediaId, type: type, title: title, year: 2020, description: description, genre: genre,
                          durationSeconds: 5400, seasonNumber: season, episodeNumber: episode, digest: digest,
                          source: job.source, hasPoster: true, hasStoryboard: true, hasDash: dash)
        media.seriesId = nil
        let published = PublishedTitle(
            media: media, series: series.map { PublishedTitle.SeriesName(title: $0, type: type, year: nil) },
            renditions: [Rendition(mediaId: job.mediaId, quality: "720p", width: 1280, height: 720, size: 1000, bandwidth: 3_000_000,
                                   averageBandwidth: 2_800_000, codecs: "avc1.64001f,mp4a.40.2", playlist: "720p/index.m3u8",
                                   iFramePlaylist: "720p/iframes.m3u8")],
            audio: [AudioTrack(mediaId: job.mediaId, language: "en", name: "English", isDefault: true, isDub: false,
                               channels: 2, playlist: "audio/en/index.m3u8"),
                    AudioTrack(mediaId: job.mediaId, language: "en", name: "English", isDefault: true, isDub: false,
                               channels: 6, playlist: "audio/en-eac3/index.m3u8", codec: .eac3)],
            subtitles: [SubtitleTrack(mediaId: job.mediaId, language: "es", name: "Español", isForced: false,
                                      isHearingImpaired: false, playlist: "subs/es/index.m3u8", file: "subs/es.vtt")])
        return (job, try await catalog.publish(published, jobID: job.id))
    }

    @Test(arguments: Engine.allCases) func publishingRecordsTheTitleAndEndsItsJobInOneGo(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let (job, outcome) = try await publish(catalog, "Amélie", digest: "aaa", genre: ["Comedy"])
        #expect(outcome == .published(mediaId: job.mediaId))
        let finished = try #require(try await catalog.job(id: job.id))
        #expect(finished.state == .succeeded && finished.progress == 1 && finished.finishedAt != nil)
        let document = try #require(try await catalog.document(id: job.mediaId))
        #expect(document.title == "Amélie" && document.duration == 90 && document.durationSeconds == 5400)
        #expect(document.hls == "/hls/\(job.mediaId)/master.m3u8" && document.poster == "/hls/\(job.mediaId)/poster.jpg")
        #expect(document.dash == "/hls/\(job.mediaId)/manifest.mpd")
        #expect(document.sources.first?.url == "/hls/\(job.mediaId)/720p/index.m3u8" && document.sources.first?.bandwidth == 3_000_000)
        #expect(document.subtitles.first?.file == "/hls/\(job.mediaId)/subs/es.vtt")
        #expect(document.dubbing.map(\.url) == ["/hls/\(job.mediaId)/audio/en/index.m3u8"] && document.dubbing.first?.default == true,
                "the stereo renditions only: \(document.dubbing)")
        #expect(document.audio.map { "\($0.codec.rawValue) \($0.channels) \($0.url)" }
            == ["aac 2 /hls/\(job.mediaId)/audio/en/index.m3u8", "eac3 6 /hls/\(job.mediaId)/audio/en-eac3/index.m3u8"], "\(document.audio)")
        #expect(try await catalog.mediaID(digest: "aaa", before: "later") == job.mediaId)
        #expect(try await catalog.mediaStatus(id: job.mediaId) == .ready && document.status == "ready")
    }

    @Test(arguments: Engine.allCases) func theSameContentIsADuplicateOfTheFirstTitle(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let (first, _) = try await publish(catalog, "One", digest: "same")
        let (second, outcome) = try await publish(catalog, "Two", digest: "same")
        #expect(outcome == .duplicate(of: first.mediaId))
        let job = try #require(try await catalog.job(id: second.id))
        #expect(job.state == .duplicate && job.mediaId == first.mediaId)
        #expect(try await catalog.list(type: nil, genre: nil, page: 1, limit: 10).total == 1)
    }

    @Test(arguments: Engine.allCases) func aProcessingTitleIsListedThenReadyOrWithdrawn(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let job = Job(source: "Film.mp4", origin: .ingest, preset: "default", maxAttempts: 3)
        try await catalog.enqueue(job)
        _ = try await catalog.claimNextTask(owner: "me", node: "n", lease: .seconds(30))
        let media = Media(id: job.mediaId, type: .movie, title: "Film", durationSeconds: 60, digest: "",
                          source: job.source, hasPoster: false, hasStoryboard: false)
        let title = PublishedTitle(media: media, series: nil, renditions: [], audio: [], subtitles: [])
        try await catalog.publishProcessing(title)
        try await catalog.publishProcessing(title)
        #expect(try await catalog.mediaStatus(id: job.mediaId) == .processing)
        let document = try #require(try await catalog.document(id: job.mediaId))
        #expect(document.status == "processing" && document.progress != nil)
        try await catalog.setDigest(jobID: job.id, digest: "d1")
        #expect(try await catalog.mediaID(digest: "d1", before: "a later title") == job.mediaId)
        #expect(try await catalog.mediaID(digest: "d1", before: job.mediaId) == nil)
        try await catalog.withdraw(mediaId: job.mediaId)
        #expect(try await catalog.mediaStatus(id: job.mediaId) == nil)
        try await catalog.publishProcessing(title)
        var ready = title
        ready.media.digest = "d1"
        #expect(try await catalog.publish(ready, jobID: job.id) == .published(mediaId: job.mediaId))
        #expect(try await catalog.mediaStatus(id: job.mediaId) == .ready)
        try await catalog.withdraw(mediaId: job.mediaId)
        #expect(try await catalog.mediaStatus(id: job.mediaId) == .ready)
    }

    /// A title's key is made once whoever asks first (every daemon of a vault gets the same),
    /// survives its publishing, and goes with the title's record — withdrawn or deleted.
    @Test(arguments: Engine.allCases) func aTitlesKeyIsMadeOnceAndGoesWithItsRecord(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        #expect(try await catalog.titleKey(of: "nothing", making: false) == nil)
        let job = Job(source: "Secret.mp4", origin: .ingest, preset: "default", maxAttempts: 3)
        let made = try #require(try await catalog.titleKey(of: job.mediaId, making: true))
        #expect(try await catalog.titleKey(of: job.mediaId, making: true) == made)
        #expect(try await catalog.titleKey(of: job.mediaId, making: false) == made)
        #expect(try await catalog.titleKey(of: "another", making: true) != made)

        let (published, _) = try await publish(catalog, "Secret", digest: "s1")
        let key = try #require(try await catalog.titleKey(of: published.mediaId, making: true))
        _ = try await publish(catalog, "Other", digest: "s2")
        #expect(try await catalog.titleKey(of: published.mediaId, making: false) == key, "publishing keeps it")
        try await catalog.withdraw(mediaId: published.mediaId)
        #expect(try await catalog.titleKey(of: published.mediaId, making: false) == key, "a ready title is not withdrawn")
        #expect(try await catalog.delete(id: published.mediaId) == [published.mediaId])
        #expect(try await catalog.titleKey(of: published.mediaId, making: false) == nil)
        try await catalog.withdraw(mediaId: job.mediaId)
        #expect(try await catalog.titleKey(of: job.mediaId, making: false) == nil, "a title that never got a record loses its key when its job fails")
    }

    @Test(arguments: Engine.allCases) func episodesGatherInTheirSeriesBySeason(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let (e2, _) = try await publish(catalog, "Second", digest: "2", series: "Show", season: 1, episode: 2, type: .series)
        let (e1, _) = try await publish(catalog, "First", digest: "1", series: "show", season: 1, episode: 1, type: .series)
        let (s2, _) = try await publish(catalog, "Next season", digest: "3", series: "Show", season: 2, episode: 1, type: .series, dash: false)
        try await publish(catalog, "A movie", digest: "4")
        let (items, total) = try await catalog.list(type: .series, genre: nil, page: 1, limit: 10)
        #expect(total == 1)
        let series = try #require(items.first)
        #expect(series.title == "Show" && series.hls == nil)
        #expect(series.seasons.map(\.number) == [1, 2])
        #expect(series.seasons[0].episodes.map(\.id) == [e1.mediaId, e2.mediaId])
        #expect(series.seasons[1].episodes.map(\.title) == ["Next season"])
        #expect(series.dash == nil && series.seasons[0].episodes.map(\.dash) == [e1, e2].map { "/hls/\($0.mediaId)/manifest.mpd" })
        #expect(series.seasons[1].episodes.map(\.dash) == [nil])
        #expect(try await catalog.list(type: nil, genre: nil, page: 1, limit: 10).total == 2)
        let removed = try await catalog.delete(id: series.id)
        #expect(Set(removed) == [e1.mediaId, e2.mediaId, s2.mediaId])
        #expect(try await catalog.mediaStatus(id: e1.mediaId) == nil)
        #expect(try await catalog.list(type: nil, genre: nil, page: 1, limit: 10).total == 1)
    }

    @Test(arguments: Engine.allCases) func searchMatchesWordsAndPrefixesIgnoringAccents(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        try await publish(catalog, "Amélie", digest: "a", description: "A shy waitress in Montmartre")
        try await publish(catalog, "Metropolis", digest: "m", description: "A city of the future")
        try await publish(catalog, "Pilot", digest: "p", series: "Futurama", season: 1, episode: 1, type: .series)
        #expect(try await catalog.searchDocuments("amelie", limit: 10).map(\.title) == ["Amélie"])
        #expect(try await catalog.searchDocuments("montm", limit: 10).map(\.title) == ["Amélie"])
        #expect(Set(try await catalog.searchDocuments("futur", limit: 10).map(\.title)) == ["Metropolis", "Futurama"])
        #expect(try await catalog.searchDocuments("  ", limit: 10).isEmpty)
        #expect(try await catalog.searchDocuments("\"unbalanced", limit: 10).isEmpty)
    }

    @Test(arguments: Engine.allCases) func anEditSetsAnEpisodesOrASeriesMetadataSearchableAtOnce(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let (episode, _) = try await publish(catalog, "Pilot", digest: "p", series: "Show", season: 1, episode: 1, type: .series)
        var edit = MetadataEdit()
        (edit.title, edit.description, edit.cast, edit.tags, edit.year) = ("Opening Night", "A zeppelin over Reykjavík", ["Ása Berg"], ["premiere"], .some(nil))
        #expect(try await catalog.edit(id: episode.mediaId, try edit.validated()))
        let document = try #require(try await catalog.document(id: episode.mediaId))
        #expect(document.title == "Opening Night" && document.cast == ["Ása Berg"] && document.tags == ["premiere"] && document.year == nil)
        #expect(try await catalog.searchDocuments("reykjavik zepp", limit: 10).map(\.title) == ["Show"], "an episode brings its series")
        let series = try #require(try await catalog.list(type: .series, genre: nil, page: 1, limit: 10).items.first)
        var seriesEdit = MetadataEdit()
        (seriesEdit.genre, seriesEdit.director, seriesEdit.language) = (["Drama"], "Baltasar", "is")
        #expect(try await catalog.edit(id: series.id, try seriesEdit.validated()))
        let edited = try #require(try await catalog.document(id: series.id))
        #expect(edited.genre == ["Drama"] && edited.director == "Baltasar" && edited.language == "is" && edited.title == "Show")
        #expect(edited.seasons.first?.episodes.first?.title == "Opening Night")
        #expect(try await catalog.list(type: nil, genre: "drama", page: 1, limit: 10).items.map(\.id) == [series.id])
        #expect(try await !catalog.edit(id: "nope", seriesEdit))
    }

    /// What a platform sets while a title is processing (after `media.processing`) outlives
    /// its publishing, and its series keeps its id.
    @Test(arguments: Engine.allCases) func editsMadeWhileProcessingSurvivePublishing(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let job = Job(source: "Pilot.mp4", origin: .ingest, preset: "default", maxAttempts: 3)
        try await catalog.enqueue(job)
        _ = try await catalog.claimNextTask(owner: "me", node: "n", lease: .seconds(30))
        let media = Media(id: job.mediaId, type: .series, title: "Pilot", durationSeconds: 60, seasonNumber: 1, episodeNumber: 1,
                          digest: "p", source: job.source, hasPoster: false, hasStoryboard: false)
        let title = PublishedTitle(media: media, series: .init(title: "Show", type: .series, year: nil), renditions: [], audio: [], subtitles: [])
        try await catalog.publishProcessing(title)
        let series = try #require(try await catalog.list(type: .series, genre: nil, page: 1, limit: 5).items.first)
        var edit = MetadataEdit()
        (edit.description, edit.cast) = ("The first night", ["Ása"])
        #expect(try await catalog.edit(id: job.mediaId, try edit.validated()))
        #expect(try await catalog.publish(title, jobID: job.id) == .published(mediaId: job.mediaId))
        let ready = try #require(try await catalog.document(id: job.mediaId))
        #expect(ready.status == "ready" && ready.description == "The first night" && ready.cast == ["Ása"])
        #expect(try await catalog.list(type: .series, genre: nil, page: 1, limit: 5).items.map(\.id) == [series.id])
    }

    @Test(arguments: Engine.allCases) func listingPagesFiltersAndPutsTheNewestFirst(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        for index in 1...5 { try await publish(catalog, "Movie \(index)", digest: "\(index)", genre: index == 3 ? ["Drama"] : []) }
        let page = try await catalog.list(type: nil, genre: nil, page: 2, limit: 2)
        #expect(page.total == 5 && page.items.map(\.title) == ["Movie 3", "Movie 2"])
        #expect(try await catalog.list(type: nil, genre: "drama", page: 1, limit: 10).items.map(\.title) == ["Movie 3"])
        #expect(try await catalog.list(type: .anime, genre: nil, page: 1, limit: 10).total == 0)
    }
}
