import Foundation
import Testing
import TestSupport

/// Real clients play a title the daemon published, over HTTP: ffprobe reads the master
/// playlist and every rendition, and headless Chromium plays the watch page natively.
@Suite(.serialized) struct PlaybackTests {
    let daemon: Daemon
    let id: String

    init() throws {
        daemon = try Daemon()
        id = try Self.publishTestPattern(on: daemon)
    }

    /// Drops the multilingual test pattern (one rung; English and French audio; English
    /// subtitles inside, Spanish beside it) into `daemon` and returns its title's id once done.
    static func publishTestPattern(on daemon: Daemon) throws -> String {
        try FileManager.default.copyItem(at: Fixtures.sample("multilang.mkv"),
                                         to: daemon.ingest.appendingPathComponent("Test Pattern (2024).mkv"))
        try FileManager.default.copyItem(at: Fixtures.sample("testcard-720p30.es.srt"),
                                         to: daemon.ingest.appendingPathComponent("Test Pattern (2024).es.srt"))
        return try daemon.waitForJobs(count: 1).first?["mediaId"] as? String ?? ""
    }

    var base: String { "http://127.0.0.1:\(daemon.port)" }

    @Test func ffprobeReadsTheMasterPlaylistAndEveryRenditionOverHTTP() throws {
        let streams = try FFprobe.json(["-show_streams", "\(base)/hls/\(id)/master.m3u8"])["streams"] as? [[String: Any]] ?? []
        #expect(streams.contains { $0.string("codec_type") == "video" && $0.number("width") == 640 })
        #expect(streams.filter { $0.string("codec_type") == "audio" }.count == 2)
        let master = try #require(String(data: daemon.get("/hls/\(id)/master.m3u8").body, encoding: .utf8))
        let uris = master.split(separator: "\n").compactMap { line -> String? in
            if !line.hasPrefix("#") { return String(line) }
            return line.firstMatch(of: /URI="([^"]+)"/).map { String($0.1) }
        }
        #expect(uris.count == 6, "\(uris)")  // one rung, its I-frame playlist, two audio, two subtitle renditions
        for uri in uris where !uri.hasPrefix("subs/") {
            let probed = try FFprobe.json(["-show_streams", "\(base)/hls/\(id)/\(uri)"])["streams"] as? [[String: Any]] ?? []
            #expect(probed.count == 1, "\(uri)")
        }
        for uri in uris where uri.hasPrefix("subs/") {
            let playlist = try #require(String(data: daemon.get("/hls/\(id)/\(uri)").body, encoding: .utf8))
            let first = try #require(playlist.split(separator: "\n").first { $0.hasSuffix(".vtt") })
            let folder = (uri as NSString).deletingLastPathComponent
            let segment = try daemon.get("/hls/\(id)/\(folder)/\(first)")
            #expect(segment.status == 200 && segment.headers["content-type"] == "text/vtt; charset=utf-8")
            #expect(String(data: segment.body, encoding: .utf8)?.hasPrefix("WEBVTT\nX-TIMESTAMP-MAP=") == true)
        }
    }

    @Test func headlessChromiumPlaysTheWatchPagePastThreeSecondsWithItsSubtitles() throws {
        let report = try Players.report("play_watch_page.py", "\(base)/watch/\(id)", "3")
        #expect(report["error"] is NSNull && report["playError"] is NSNull, "\(report)")
        #expect((report["time"] as? Double ?? 0) >= 3, "\(report)")
        #expect(report["width"] as? Int == 640 && report["height"] as? Int == 360)
        let tracks = report["tracks"] as? [[String: Any]] ?? []
        #expect(tracks.compactMap { $0["label"] as? String } == ["English", "Español"])
        #expect(tracks.compactMap { $0["language"] as? String } == ["en", "es"])
    }
}
