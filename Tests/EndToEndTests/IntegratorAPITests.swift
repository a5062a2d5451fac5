import Foundation
import Testing
import TestSupport

/// The integrators' API (SPEC §15) against the real daemon: metadata edits over HTTP and the
/// CLI, deletion and cancellation over HTTP.
@Suite struct IntegratorAPITests {
    static let token = ["Authorization": "Bearer sesame", "Content-Type": "application/json"]

    @Test func aTitleIsEditedOverHTTPAndTheCLIThenDeletedWithItsFilesButNotItsOriginals() throws {
        let daemon = try Daemon(extra: ["--api-token", "sesame"])
        defer { daemon.stop() }
        try FileManager.default.copyItem(at: Fixtures.sample("testcard-720p30.mp4"), to: daemon.ingest.appendingPathComponent("Test Card (2021).mp4"))
        let id = try #require(try daemon.waitForJobs(count: 1).first?["mediaId"] as? String)
        let edit = Data(#"{"description": "Colour bars and a tone", "cast": ["Carole Hersee"], "genre": ["Test"]}"#.utf8)
        #expect(try daemon.request("PATCH", "/api/media/\(id)", headers: ["Content-Type": "application/json"], body: edit).status == 401)
        let patched = try daemon.request("PATCH", "/api/media/\(id)", headers: Self.token, body: edit)
        #expect(patched.status == 200, "\(String(decoding: patched.body, as: UTF8.self))")
        let cli = try daemon.cli("media", "edit", id, "--director", "BBC", "--tag", "classic", "--tag", "bars", "--no-year", "--json")
        #expect(cli.status == 0, "\(cli.stderr)")
        let document = try daemon.json("/api/media/\(id)")
        #expect(document["description"] as? String == "Colour bars and a tone" && document["cast"] as? [String] == ["Carole Hersee"])
        #expect(document["director"] as? String == "BBC" && document["tags"] as? [String] == ["classic", "bars"] && document["year"] == nil)
        #expect(document["title"] as? String == "Test Card" && document["genre"] as? [String] == ["Test"])
        let found = try daemon.json("/api/media/search?q=colour%20tone")["items"] as? [[String: Any]]
        #expect(found?.map { $0["id"] as? String } == [id])
        let refused = try daemon.cli("media", "edit", id, "--language", "not a tag")
        #expect(refused.status == 2 && refused.stderr.contains("language: must be a BCP 47 language tag"), "\(refused.stderr)")

        let deleted = try daemon.request("DELETE", "/api/media/\(id)", headers: Self.token)
        #expect(deleted.status == 200)
        for path in ["/api/media/\(id)", "/hls/\(id)/master.m3u8", "/watch/\(id)"] { #expect(try daemon.get(path).status == 404, "\(path)") }
        #expect(!daemon.files(in: "media").contains(id))
        #expect(daemon.files(in: "originals/\(id)") == ["Test Card (2021).mp4"])
        #expect(try daemon.cli("media", "delete", id).status != 0, "already gone")
    }

    @Test func aQueuedJobIsCancelledOverHTTP() throws {
        let daemon = try Daemon(extra: ["--api-token", "sesame", "--workers", "0"])
        defer { daemon.stop() }
        let file = daemon.root.appendingPathComponent("clip.mp4")
        try FileManager.default.copyItem(at: Fixtures.sample("testcard-720p30.mp4"), to: file)
        let submitted = try daemon.request("POST", "/api/jobs", headers: Self.token, body: Data(#"{"path": "\#(file.path)"}"#.utf8))
        let job = try #require(try JSONSerialization.jsonObject(with: submitted.body) as? [String: Any])
        let id = try #require(job["id"] as? String)
        let cancelled = try daemon.request("DELETE", "/api/jobs/\(id)", headers: Self.token)
        let state = (try JSONSerialization.jsonObject(with: cancelled.body) as? [String: Any])?["state"] as? String
        #expect(cancelled.status == 200 && state == "cancelled")
        #expect(try daemon.request("DELETE", "/api/jobs/\(id)", headers: Self.token).status == 409)
        #expect(try daemon.json("/api/jobs/\(id)")["state"] as? String == "cancelled")
        #expect(FileManager.default.fileExists(atPath: file.path), "the caller's file stays")
    }

    /// A real receiver refuses the first deliveries, then goes down across a daemon restart:
    /// every event still arrives, once accepted, in order per title, each signature valid.
    @Test func webhooksArriveSignedInOrderThroughRefusalsAndARestart() throws {
        let folder = try Fixtures.temporaryFolder("hooks")
        let receiver = try WebhookReceiver(folder: folder, refuse: 2)
        defer { receiver.stop() }
        let hooks = ["--api-token", "sesame", "--webhook", receiver.url, "--webhook-secret", receiver.secret.path]
        let daemon = try Daemon(extra: hooks)
        defer { daemon.stop() }
        // Long enough to be playable while it is packaged (its first chunk before its last).
        let source = folder.appendingPathComponent("Hooked (2022).mp4")
        try TestPattern.make(source, seconds: 24, size: "320x180", gop: 60)
        try FileManager.default.copyItem(at: source, to: daemon.ingest.appendingPathComponent("Hooked (2022).mp4"))
        let id = try #require(try daemon.waitForJobs(count: 1).first?["mediaId"] as? String)
        try waitUntil(timeout: 30, seen: { "\(receiver.received())" }) { receiver.accepted().count >= 2 }
        #expect(receiver.accepted().map(\.type) == ["media.processing", "media.ready"] && receiver.accepted().allSatisfy { $0.mediaId == id })
        let refused = receiver.received().prefix(2)
        #expect(refused.allSatisfy { $0["status"] as? Int == 503 && $0["valid"] as? Bool == true && $0["type"] as? String == "media.processing" })
        #expect(receiver.received().allSatisfy { $0["type"] as? String == $0["eventHeader"] as? String })
        let first = try #require(receiver.received().first?["id"] as? String)
        #expect(receiver.received().prefix(3).allSatisfy { $0["id"] as? String == first }, "each retry sends the same event")

        // Down: what happens meanwhile waits in the catalog, across a restart.
        receiver.stop()
        #expect(try daemon.request("DELETE", "/api/media/\(id)", headers: Self.token).status == 200)
        try Data(contentsOf: Fixtures.sample("testcard-720p30.mp4")).prefix(200_000).write(to: daemon.ingest.appendingPathComponent("broken.mp4"))
        _ = try daemon.waitForJobs(count: 2)
        try waitUntil(timeout: 10) {
            let items = try daemon.request("GET", "/api/webhooks/deliveries", headers: Self.token)
            let deliveries = (try JSONSerialization.jsonObject(with: items.body) as? [String: Any])?["items"] as? [[String: Any]] ?? []
            return deliveries.contains { $0["type"] as? String == "media.deleted" && $0["state"] as? String == "pending"
                && ($0["attempts"] as? Int ?? 0) >= 1 && ($0["lastError"] as? String)?.isEmpty == false }
        }
        #expect(try daemon.request("GET", "/api/webhooks/deliveries").status == 401)
        daemon.stop()
        try daemon.start(extra: hooks)
        try receiver.start()
        try waitUntil(timeout: 30, seen: { "\(receiver.received())" }) { receiver.accepted().count >= 4 }
        let accepted = receiver.accepted()
        #expect(accepted.map(\.type) == ["media.processing", "media.ready", "media.deleted", "job.failed"]
                || accepted.map(\.type) == ["media.processing", "media.ready", "job.failed", "media.deleted"], "\(accepted)")
        #expect(accepted.filter { $0.type == "media.deleted" }.map(\.mediaId) == [id])
        #expect(receiver.received().allSatisfy { $0["valid"] as? Bool == true })
        let metrics = String(decoding: try daemon.get("/metrics").body, as: UTF8.self)
        #expect(metrics.contains(#"streamvault_webhook_deliveries_total{outcome="delivered"}"#), "\(metrics.suffix(3000))")
    }

    @Test func aWebhookURLThatIsNotHTTPIsAUsageError() throws {
        let root = try Fixtures.temporaryFolder("vault").path
        for url in ["ftp://example.com/hook", "not a url", "http://"] {
            let output = try runProcess(Fixtures.binary, ["serve", "--root", root, "--http", "127.0.0.1:1", "--webhook", url])
            #expect(output.status == 2 && output.stderr.contains("--webhook"), "\(url): \(output.stderr)")
        }
        let missing = try runProcess(Fixtures.binary, ["serve", "--root", root, "--http", "127.0.0.1:1", "--webhook", "http://127.0.0.1:9/",
                                                        "--webhook-secret", root + "/none"])
        #expect(missing.status == 2 && missing.stderr.contains(root + "/none"), "\(missing.stderr)")
    }

    /// A real tus client (python3-tuspy) uploads in chunks, stops, the connection breaks off
    /// in the middle of a body, and the client resumes: the file arrives whole, becomes a
    /// job at once (not through ingest/) and its title plays.
    @Test func aTusClientUploadsInChunksIsCutOffResumesAndTheTitlePlays() throws {
        let daemon = try Daemon(extra: ["--api-token", "sesame"])
        defer { daemon.stop() }
        let folder = try Fixtures.temporaryFolder("tus")
        let source = Fixtures.sample("testcard-720p30.mp4")
        let size = try Data(contentsOf: source).count
        let endpoint = "http://127.0.0.1:\(daemon.port)/api/uploads"
        let script = Fixtures.repository.appendingPathComponent("Tests/EndToEndTests/Peers/tus_upload.py").path
        let store = folder.appendingPathComponent("urls.json").path
        func tus(_ arguments: String...) throws -> [String: Any] {
            let run = try runProcess(URL(fileURLWithPath: "/usr/bin/python3"), [script] + arguments)
            #expect(run.status == 0, "\(run.stderr)")
            return (try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]) ?? [:]
        }
        let first = try tus("upload", endpoint, source.path, "--token", "sesame", "--chunk", "100000", "--store", store,
                            "--stop-at", "300000", "--meta", "filename=Uploaded Card (2024).mp4", "--meta", "type=movie")
        let url = try #require(first["url"] as? String)
        #expect(first["offset"] as? Int == 300_000)
        let path = String(url[try #require(url.range(of: "/api/uploads/"))!.lowerBound...])
        // The network drops in the middle of a body: what arrived is kept (no checksum asked).
        _ = try tus("cut", url, source.path, "--at", "300000", "--declare", "200000", "--send", "150000")
        var offset = 0
        try waitUntil(timeout: 10) {
            offset = Int(try daemon.request("HEAD", path, headers: ["Tus-Resumable": "1.0.0"]).headers["upload-offset"] ?? "") ?? 0
            return offset > 300_000
        }
        #expect(offset == 450_000, "the bytes that arrived before the break are kept")
        let last = try tus("upload", endpoint, source.path, "--token", "sesame", "--chunk", "100000", "--store", store, "--checksum",
                           "--meta", "filename=Uploaded Card (2024).mp4", "--meta", "type=movie")
        #expect(last["url"] as? String == url && last["offset"] as? Int == size, "\(last)")
        let head = try daemon.request("HEAD", path, headers: ["Tus-Resumable": "1.0.0"])
        let job = try #require(head.headers["streamvault-job"])
        #expect(daemon.files(in: "ingest").isEmpty)
        let jobs = try daemon.waitForJobs(count: 1)
        #expect(jobs.first?["id"] as? String == job && jobs.first?["state"] as? String == "succeeded", "\(jobs)")
        let id = try #require(jobs.first?["mediaId"] as? String)
        #expect(try Data(contentsOf: daemon.root.appendingPathComponent("originals/\(id)/Uploaded Card (2024).mp4")) == Data(contentsOf: source))
        #expect(try daemon.json("/api/media/\(id)")["title"] as? String == "Uploaded Card")
        let streams = try FFprobe.streams(URL(string: "http://127.0.0.1:\(daemon.port)/hls/\(id)/master.m3u8")!)
        #expect(streams.contains { $0.string("codec_type") == "video" })
        #expect(daemon.files(in: "uploads").isEmpty)
    }

    /// The /upload page in headless Chromium: a file chosen, the connection cut part-way, the
    /// page reloaded and the file chosen again; it goes on from the server's offset (the same
    /// upload, not a new one) and links to the title, which plays.
    @Test func theUploadPageResumesAfterACutAndAReloadAndLinksToThePlayingTitle() throws {
        let daemon = try Daemon(extra: ["--api-token", "sesame"])
        defer { daemon.stop() }
        let source = Fixtures.sample("testcard-720p30.mp4")
        let size = try Data(contentsOf: source).count
        let report = try Players.report("upload_page.py", "http://127.0.0.1:\(daemon.port)", source.path, "sesame")
        #expect(report["timedOut"] == nil, "\(report)")
        let cut = report["offsetAtCut"] as? Int ?? 0
        #expect(cut > 0 && cut < size, "cut part-way: \(report)")
        #expect(report["urlAfter"] as? String == report["urlBefore"] as? String, "the same upload went on: \(report)")
        let link = try #require(report["link"] as? String)
        let id = String(link.dropFirst("/watch/".count))
        #expect(try Data(contentsOf: daemon.root.appendingPathComponent("originals/\(id)/testcard-720p30.mp4")) == Data(contentsOf: source)
                || (try daemon.json("/api/media/\(id)")["status"] as? String) == "processing")
        let played = try Players.report("play_watch_page.py", "http://127.0.0.1:\(daemon.port)\(link)", "2")
        #expect((played["time"] as? Double ?? 0) >= 2, "\(played)")
    }
}
