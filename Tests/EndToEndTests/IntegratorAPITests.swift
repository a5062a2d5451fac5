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
}
