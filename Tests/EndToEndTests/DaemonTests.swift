import Foundation
import Testing
import TestSupport

/// `streamvault serve` started for real on a temporary vault: files dropped into ingest/,
/// jobs submitted with the CLI, checked over HTTP, on disk and with ffprobe.
@Suite(.serialized) struct DaemonTests {
    @Test func aFileCopiedSlowlyIsNotTakenBeforeItIsComplete() throws {
        let daemon = try Daemon(settle: 2)
        let source = try Data(contentsOf: Fixtures.sample("testcard-720p30.mp4"))
        let target = daemon.ingest.appendingPathComponent("Slow Copy (2021).mp4")
        // As cp does: created in place and written (Foundation's createFile would rename a
        // whole temporary file into place, which is taken at once).
        let descriptor = open(target.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(descriptor >= 0)
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        let chunk = source.count / 6 + 1
        for start in stride(from: 0, to: source.count, by: chunk) {
            handle.write(source[start..<min(source.count, start + chunk)])
            usleep(700_000)  // 4 s of copying in all, pauses shorter than the settle time
            #expect(try daemon.jobs().isEmpty, "taken while still being written")
            #expect(FileManager.default.fileExists(atPath: target.path))
        }
        try handle.close()
        let jobs = try daemon.waitForJobs(count: 1)
        #expect(jobs.first?["state"] as? String == "succeeded", "\(jobs)")
        let id = try #require(jobs.first?["mediaId"] as? String)
        let original = daemon.root.appendingPathComponent("originals/\(id)/Slow Copy (2021).mp4")
        #expect(try Data(contentsOf: original) == source)
        let master = daemon.root.appendingPathComponent("media/\(id)/master.m3u8")
        #expect(try FFprobe.streams(master).contains { $0.string("codec_type") == "video" })
        #expect(daemon.files(in: "ingest").isEmpty && daemon.files(in: "work").isEmpty)
    }

    @Test func moviesAndEpisodesGetTheirMetadataFromTheirNames() throws {
        let daemon = try Daemon()
        try FileManager.default.copyItem(at: Fixtures.sample("phone-portrait-vfr.mp4"),
                                         to: daemon.ingest.appendingPathComponent("Big Buck Bunny (2008).mp4"))
        try FileManager.default.copyItem(at: Fixtures.sample("multilang.mkv"),
                                         to: daemon.ingest.appendingPathComponent("Show.Name.S01E02.mkv"))
        try FileManager.default.copyItem(at: Fixtures.sample("testcard-720p30.es.srt"),
                                         to: daemon.ingest.appendingPathComponent("Show.Name.S01E02.es.srt"))
        let jobs = try daemon.waitForJobs(count: 2)
        #expect(jobs.allSatisfy { $0["state"] as? String == "succeeded" }, "\(jobs)")
        let list = try daemon.json("/api/media")
        let items = list["items"] as? [[String: Any]] ?? []
        #expect(list["total"] as? Int == 2)
        let movie = try #require(items.first { $0["type"] as? String == "movie" })
        #expect(movie["title"] as? String == "Big Buck Bunny" && movie["year"] as? Int == 2008)
        #expect(movie["dash"] as? String == "/hls/\(movie["id"] as? String ?? "")/manifest.mpd")
        #expect((movie["sources"] as? [[String: Any]])?.first?["quality"] as? String == "360p")
        let series = try #require(items.first { $0["type"] as? String == "series" })
        #expect(series["title"] as? String == "Show Name")
        let season = try #require((series["seasons"] as? [[String: Any]])?.first)
        let episode = try #require((season["episodes"] as? [[String: Any]])?.first)
        #expect(season["number"] as? Int == 1 && episode["number"] as? Int == 2)
        let episodeID = try #require(episode["id"] as? String)
        #expect(series["dash"] == nil && episode["dash"] as? String == "/hls/\(episodeID)/manifest.mpd", "\(series)")
        let document = try daemon.json("/api/media/\(episodeID)")
        #expect(document["dash"] as? String == "/hls/\(episodeID)/manifest.mpd")
        #expect(try daemon.get("/hls/\(episodeID)/manifest.mpd").headers["content-type"] == "application/dash+xml")
        #expect((document["subtitles"] as? [[String: Any]])?.compactMap { $0["language"] as? String } == ["en", "es"])
        #expect((document["dubbing"] as? [[String: Any]])?.compactMap { $0["language"] as? String } == ["en", "fr"])
        #expect((document["audio"] as? [[String: Any]])?.compactMap { "\($0["language"] ?? "") \($0["codec"] ?? "") \($0["channels"] ?? "")" }
            == ["en aac 2", "fr aac 2"], "a stereo source: no E-AC-3 group")
        #expect(daemon.files(in: "originals/\(episodeID)") == ["Show.Name.S01E02.es.srt", "Show.Name.S01E02.mkv"])
        let search = try daemon.json("/api/media/search?q=bunn")["items"] as? [[String: Any]] ?? []
        #expect(search.compactMap { $0["title"] as? String } == ["Big Buck Bunny"])
    }

    /// DASH needs fMP4 segments (SPEC §14): an MPEG-TS title has HLS only.
    @Test func anMPEGTSTitleHasNoMPD() throws {
        let daemon = try Daemon()
        let submitted = try daemon.cli("submit", Fixtures.sample("phone-portrait-vfr.mp4").path, "--preset", "broadcast-ts", "--wait", "--json")
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let job = try #require(try JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8)) as? [String: Any])
        let id = try #require(job["mediaId"] as? String)
        let document = try daemon.json("/api/media/\(id)")
        #expect(document["hls"] as? String == "/hls/\(id)/master.m3u8" && document["dash"] == nil, "\(document)")
        #expect(try daemon.get("/hls/\(id)/master.m3u8").status == 200)
        #expect(try daemon.get("/hls/\(id)/manifest.mpd").status == 404)
        #expect(!daemon.files(in: "media/\(id)").contains("manifest.mpd"))
    }

    @Test func submitWaitFollowsTheJobAndDuplicatesAreRecognised() throws {
        let daemon = try Daemon()
        let folder = try Fixtures.temporaryFolder("submit")
        let mine = folder.appendingPathComponent("Holiday (2019).mp4")
        try FileManager.default.copyItem(at: Fixtures.sample("phone-portrait-vfr.mp4"), to: mine)
        let before = try Data(contentsOf: mine)
        let first = try daemon.cli("submit", mine.path, "--wait", "--json")
        #expect(first.status == 0, "\(first.stderr)")
        let job = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        #expect(job["state"] as? String == "succeeded" && job["progress"] as? Double == 1)
        #expect(try Data(contentsOf: mine) == before, "the caller's file must not change")

        let copy = folder.appendingPathComponent("same content.mp4")
        try FileManager.default.copyItem(at: mine, to: copy)
        let second = try daemon.cli("submit", copy.path, "--wait", "--json")
        let duplicate = try #require(try JSONSerialization.jsonObject(with: Data(second.stdout.utf8)) as? [String: Any])
        #expect(duplicate["state"] as? String == "duplicate" && duplicate["mediaId"] as? String == job["mediaId"] as? String)
        #expect(daemon.files(in: "originals/\(job["mediaId"] as? String ?? "")") == ["Holiday (2019).mp4", "same content.mp4"])
        #expect(daemon.files(in: "media").count == 1)
        let shown = try daemon.cli("job", duplicate["id"] as? String ?? "")
        #expect(shown.status == 0 && shown.stdout.contains("duplicate"))
    }

    @Test func aCorruptFileFailsClearlyAndSitsInFailedUnchanged() throws {
        let daemon = try Daemon()
        let broken = try Data(contentsOf: Fixtures.sample("testcard-720p30.mp4")).prefix(200_000)
        try broken.write(to: daemon.ingest.appendingPathComponent("broken.mp4"))
        try Data("just some notes".utf8).write(to: daemon.ingest.appendingPathComponent("notes.txt"))
        let jobs = try daemon.waitForJobs(count: 2)
        for job in jobs {
            #expect(job["state"] as? String == "failed")
            let source = job["source"] as? String ?? ""
            #expect((job["error"] as? String)?.contains(source) == true, "\(job)")
            // No task of an ended job stays running (its chunk failed it).
            let chunks = try daemon.json("/api/jobs/\(job["id"] as? String ?? "")")["chunks"] as? [[String: Any]] ?? []
            #expect(!chunks.contains { $0["state"] as? String == "running" }, "\(chunks)")
        }
        #expect(try Data(contentsOf: daemon.root.appendingPathComponent("failed/broken.mp4")) == broken)
        let reason = try String(contentsOf: daemon.root.appendingPathComponent("failed/broken.mp4.error.txt"), encoding: .utf8)
        #expect(reason.contains("broken.mp4") && reason.contains("truncated"), "\(reason)")
        #expect(daemon.files(in: "failed") == ["broken.mp4", "broken.mp4.error.txt", "notes.txt", "notes.txt.error.txt"])
        #expect(try daemon.get("/healthz").status == 200)
        #expect(daemon.files(in: "work").isEmpty && daemon.files(in: "media").isEmpty)
    }

    @Test func killMinus9MidJobThenRestartPublishesOneTitleAndLeavesNoOrphans() throws {
        let daemon = try Daemon()
        let submitted = try daemon.cli("submit", Fixtures.sample("testcard-720p30.mp4").path, "--preset", "default")
        let id = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try waitUntil(timeout: 30) {
            let job = try daemon.json("/api/jobs/\(id)")
            return job["stage"] as? String == "packaging" && (job["progress"] as? Double ?? 0) > 0.05
        }
        daemon.kill9()
        try daemon.start()
        let jobs = try daemon.waitForJobs(count: 1, timeout: 90)
        #expect(jobs.first?["state"] as? String == "succeeded", "\(jobs)\n\(daemon.logText)")
        #expect((jobs.first?["attempts"] as? Int ?? 0) >= 1)
        #expect(daemon.files(in: "media").count == 1)
        #expect(daemon.files(in: "work").isEmpty)
        let title = try #require(daemon.files(in: "media").first)
        #expect(!daemon.files(in: "media/\(title)").contains { $0.contains("partial") })
        #expect(daemon.files(in: "originals/\(title)") == ["testcard-720p30.mp4"])
        #expect(daemon.stop() == 0)
    }

    @Test func twoDaemonsOnOneVaultNeverTakeOneFileTwice() throws {
        let first = try Daemon(settle: 1)
        let second = try Daemon(root: first.root, settle: 1)
        let names = ["one.mp4", "two.mp4", "three.mp4"]
        for (index, name) in names.enumerated() {
            // Distinct content, so none is a duplicate of another.
            var data = try Data(contentsOf: Fixtures.sample("phone-portrait-vfr.mp4"))
            data.append(contentsOf: [UInt8](repeating: UInt8(index), count: 16))
            try data.write(to: first.ingest.appendingPathComponent(name))
        }
        let jobs = try first.waitForJobs(count: 3, timeout: 90)
        #expect(jobs.count == 3, "\(jobs)")
        #expect(Set(jobs.compactMap { $0["source"] as? String }) == Set(names))
        #expect(jobs.allSatisfy { $0["state"] as? String == "succeeded" }, "\(jobs)")
        #expect(first.files(in: "media").count == 3 && first.files(in: "originals").count == 3)
        #expect(second.stop() == 0 && first.stop() == 0)
    }

    /// Starts a longer job (the test card through the default ladder) and waits until it transcodes.
    private func runningJob(on daemon: Daemon) throws -> String {
        let submitted = try daemon.cli("submit", Fixtures.sample("testcard-720p30.mp4").path, "--preset", "default")
        let id = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try waitUntil(timeout: 30) {
            let job = try daemon.json("/api/jobs/\(id)")
            return job["stage"] as? String == "packaging" && (job["progress"] as? Double ?? 0) > 0.05
        }
        return id
    }

    @Test func aWorkerKilledMidJobFailsOnlyThatAttempt() throws {
        let daemon = try Daemon(extra: ["--retry-delay", "0.5"])
        let id = try runningJob(on: daemon)
        let workers = try runProcess(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-f", "worker --root \(daemon.root.path) --assignment .*\(id):chunk"])
        let pid = try #require(Int32(workers.stdout.split(separator: "\n").first ?? ""), "no worker: \(workers.stdout)")
        kill(pid, SIGKILL)
        let jobs = try daemon.waitForJobs(count: 1, timeout: 90)
        #expect(jobs.first?["state"] as? String == "succeeded" && jobs.first?["attempts"] as? Int == 2, "\(jobs)")
        #expect(daemon.logText.contains("killed by signal 9 (SIGKILL)"))
        #expect(try daemon.get("/healthz").status == 200)
        #expect(daemon.files(in: "media").count == 1 && daemon.files(in: "work").isEmpty)
    }

    @Test func aNameThatIsNotUTF8IsTakenKeptAndReportedEscaped() throws {
        let daemon = try Daemon()
        /// `name` with the byte 0xE9 (é in Latin-1) where `%` is.
        func raw(_ name: String) -> [CChar] {
            (Array(name.utf8).map { $0 == UInt8(ascii: "%") ? 0xE9 : $0 } + [0]).map { CChar(bitPattern: $0) }
        }
        func place(_ data: Data, as name: String, in folder: URL) throws {
            let staged = folder.appendingPathComponent(".staged")
            try data.write(to: staged)
            #expect(rename(staged.path, (folder.path + "/").utf8CString.dropLast().map { $0 } + raw(name)) == 0)
        }
        try place(try Data(contentsOf: Fixtures.sample("phone-portrait-vfr.mp4")), as: "Caf% (2020).mp4", in: daemon.ingest)
        try place(Data("not a video".utf8), as: "r%sum%.mp4", in: daemon.ingest)
        // A bundle folder whose files' names are not UTF-8, renamed in whole.
        let bundle = try Fixtures.temporaryFolder("bundle").appendingPathComponent("Sc%ne (2019)")
        let staged = bundle.deletingLastPathComponent().appendingPathComponent("Scene (2019)")
        try FileManager.default.createDirectory(at: staged.appendingPathComponent("Subs"), withIntermediateDirectories: true)
        try place(try Data(contentsOf: Fixtures.sample("testcard-720p30.mp4")), as: "sc%ne.mp4", in: staged)
        try place(Data("1\n00:00:01,000 --> 00:00:02,000\nBonjour\n".utf8), as: "sc%ne.fr.srt", in: staged)
        try place(Data("x".utf8), as: "n%te.txt", in: staged.appendingPathComponent("Subs"))
        #expect(rename(staged.path, (daemon.ingest.path + "/").utf8CString.dropLast().map { $0 } + raw("Sc%ne (2019)")) == 0)
        let jobs = try daemon.waitForJobs(count: 3, timeout: 90)
        let bySource = Dictionary(uniqueKeysWithValues: jobs.map { ($0["source"] as? String ?? "", $0) })
        #expect(bySource["Caf\\xE9 (2020).mp4"]?["state"] as? String == "succeeded", "\(jobs)")
        #expect((bySource["r\\xE9sum\\xE9.mp4"]?["error"] as? String)?.contains("r\\xE9sum\\xE9.mp4: not a media file") == true)
        let id = bySource["Caf\\xE9 (2020).mp4"]?["mediaId"] as? String ?? ""
        var original = stat(), kept = stat(), report = stat()
        #expect(lstat((daemon.root.path + "/originals/\(id)/").utf8CString.dropLast().map { $0 } + raw("Caf% (2020).mp4"), &original) == 0,
                "kept under its own bytes")
        #expect(lstat((daemon.root.path + "/failed/").utf8CString.dropLast().map { $0 } + raw("r%sum%.mp4"), &kept) == 0)
        #expect(lstat(daemon.root.path + "/failed/r\\xE9sum\\xE9.mp4.error.txt", &report) == 0)
        // A job is final in the catalog a moment before its folder in work/ goes.
        try? waitUntil(timeout: 10) { daemon.files(in: "work").isEmpty }
        #expect(daemon.files(in: "work").isEmpty && daemon.files(in: "ingest").isEmpty)
        #expect(try daemon.json("/api/media/\(id)")["title"] as? String == "Caf\\xE9")
        // The bundle: its video and subtitles found, and every name back as it came, inside too.
        let scene = try #require(bySource["Sc\\xE9ne (2019)"], "\(jobs)")
        #expect(scene["state"] as? String == "succeeded", "\(scene)")
        let sceneID = scene["mediaId"] as? String ?? ""
        let languages = (try daemon.json("/api/media/\(sceneID)")["subtitles"] as? [[String: Any]] ?? []).compactMap { $0["language"] as? String }
        #expect(languages == ["fr"])
        let keptBundle = (daemon.root.path + "/originals/\(sceneID)/").utf8CString.dropLast().map { $0 } + raw("Sc%ne (2019)").dropLast() + [0x2F]
        for inner in ["sc%ne.mp4", "sc%ne.fr.srt", "Subs/n%te.txt"] {
            var info = stat()
            #expect(lstat(keptBundle + raw(inner), &info) == 0, "\(inner) kept under its own bytes")
        }
    }

    @Test func aStalledWorkerIsKilledAndItsAttemptFailsAsStalled() throws {
        let daemon = try Daemon(extra: ["--retry-delay", "0.5", "--stall-timeout", "3"])
        let id = try runningJob(on: daemon)
        let workers = try runProcess(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-f", "worker --root \(daemon.root.path) --assignment .*\(id):chunk"])
        let pid = try #require(Int32(workers.stdout.split(separator: "\n").first ?? ""), "no worker: \(workers.stdout)")
        kill(pid, SIGSTOP)  // alive, silent: only the watchdog can tell
        let jobs = try daemon.waitForJobs(count: 1, timeout: 90)
        #expect(jobs.first?["state"] as? String == "succeeded" && jobs.first?["attempts"] as? Int == 2, "\(jobs)")
        #expect(daemon.logText.contains("stalled: no progress for 3 s (--stall-timeout)"))
        #expect(kill(pid, 0) != 0, "the stalled worker is gone")
    }

    @Test func aWorkerPastItsMemoryLimitIsStoppedNotTheDaemon() throws {
        let daemon = try Daemon(extra: ["--retry-delay", "0.2", "--worker-memory", "0.03"])
        let file = daemon.root.appendingPathComponent("testcard.mp4")
        try FileManager.default.copyItem(at: Fixtures.sample("testcard-720p30.mp4"), to: file)
        let submitted = try daemon.cli("submit", file.path, "--preset", "default")
        #expect(submitted.status == 0)
        let jobs = try daemon.waitForJobs(count: 1, timeout: 90)
        let error = jobs.first?["error"] as? String ?? ""
        #expect(jobs.first?["state"] as? String == "failed" && error.contains("of memory, more than its limit of 31 MiB (--worker-memory)"), "\(jobs)")
        #expect(try daemon.get("/healthz").status == 200)
        let failed = daemon.files(in: "failed")
        #expect(failed == ["testcard.mp4", "testcard.mp4.error.txt"])
        #expect(try Data(contentsOf: daemon.root.appendingPathComponent("failed/testcard.mp4")) == Data(contentsOf: file))
    }

    @Test func cancellingARunningJobStopsItAndKeepsTheFile() throws {
        let daemon = try Daemon()
        let id = try runningJob(on: daemon)
        let cancel = try daemon.cli("cancel", id)
        #expect(cancel.status == 0, "\(cancel.stderr)")
        let jobs = try daemon.waitForJobs(count: 1)
        #expect(jobs.first?["state"] as? String == "cancelled")
        // The job's state is final in the catalog a moment before its files have moved.
        try? waitUntil(timeout: 10) { daemon.files(in: "work").isEmpty }
        #expect(daemon.files(in: "failed") == ["testcard-720p30.mp4", "testcard-720p30.mp4.error.txt"])
        #expect(daemon.files(in: "media").isEmpty && daemon.files(in: "work").isEmpty)
        #expect(try daemon.cli("cancel", "nosuchjob").status == 1)
    }

    @Test func sigtermStopsGracefullyAndTheJobRunsAgainAfterRestart() throws {
        let daemon = try Daemon()
        let id = try runningJob(on: daemon)
        #expect(daemon.stop() == 0)
        let job = try #require(try JSONSerialization.jsonObject(with: Data(daemon.cli("job", id, "--json").stdout.utf8)) as? [String: Any])
        // Its tasks went back to the queue (a planned job stays in progress, its chunks queued).
        #expect(["queued", "running", "succeeded"].contains(job["state"] as? String ?? ""), "\(job)")
        #expect((job["chunks"] as? [[String: Any]] ?? []).allSatisfy { $0["state"] as? String != "running" }, "\(job)")
        try daemon.start()
        let jobs = try daemon.waitForJobs(count: 1, timeout: 90)
        #expect(jobs.first?["state"] as? String == "succeeded", "\(jobs)")
        #expect(daemon.files(in: "media").count == 1 && daemon.files(in: "work").isEmpty)
    }

    @Test func aVanishedInputFailsItsJobClearlyAndTheDaemonGoesOn() throws {
        let root = try Fixtures.temporaryFolder("vault")
        // Queued while no daemon runs; then the job's copy disappears before a worker sees it.
        let submitted = try runProcess(Fixtures.binary, ["submit", Fixtures.sample("audio-only.m4a").path, "--root", root.path])
        let id = submitted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try FileManager.default.removeItem(at: root.appendingPathComponent("work/\(id)/input/audio-only.m4a"))
        let daemon = try Daemon(root: root)
        let jobs = try daemon.waitForJobs(count: 1)
        #expect(jobs.first?["state"] as? String == "failed" && jobs.first?["attempts"] as? Int == 1, "\(jobs)")
        #expect((jobs.first?["error"] as? String)?.contains("no such file") == true, "\(jobs)")
        #expect(try daemon.get("/healthz").status == 200 && daemon.files(in: "work").isEmpty)
    }

    /// Whether this test process may mount a small tmpfs (root with CAP_SYS_ADMIN, as CI is).
    static let canMountTmpfs: Bool = {
        guard getuid() == 0, let folder = try? Fixtures.temporaryFolder("mount") else { return false }
        let mounted = (try? runProcess(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=64k", "tmpfs", folder.path]))?.status == 0
        if mounted { _ = try? runProcess(URL(fileURLWithPath: "/bin/umount"), [folder.path]) }
        return mounted
    }()

    @Test(.enabled(if: canMountTmpfs, "needs to mount a tmpfs"))
    func aFullDiskFailsEachAttemptClearlyKeepsTheFileAndTheDaemonGoesOn() throws {
        let root = try Fixtures.temporaryFolder("vault")
        let work = root.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        // work/ on a 400 KiB disk: the input fits, its packaged output does not.
        try #require(try runProcess(URL(fileURLWithPath: "/bin/mount"), ["-t", "tmpfs", "-o", "size=400k", "tmpfs", work.path]).status == 0)
        defer { _ = try? runProcess(URL(fileURLWithPath: "/bin/umount"), ["-l", work.path]) }
        let daemon = try Daemon(root: root, extra: ["--retry-delay", "0.2"])
        defer { daemon.stop() }
        let result = try daemon.cli("submit", Fixtures.sample("phone-portrait-vfr.mp4").path, "--wait", "--json")
        #expect(result.status == 1)
        let job = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(job["state"] as? String == "failed" && job["attempts"] as? Int == 3, "\(job)")
        #expect((job["error"] as? String)?.contains("No space left on device") == true, "\(job)")
        #expect(try Data(contentsOf: root.appendingPathComponent("failed/phone-portrait-vfr.mp4"))
            == Data(contentsOf: Fixtures.sample("phone-portrait-vfr.mp4")))
        #expect(try daemon.get("/healthz").status == 200 && daemon.files(in: "work").isEmpty)
    }
}
