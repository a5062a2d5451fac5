import Foundation
import Testing
import TestSupport

/// The daemon packages titles in chunks (SPEC §10): playable while packaged, resumable
/// after `kill -9`, spread over every daemon of a vault.
@Suite(.serialized) struct ChunkedDaemonTests {
    /// 90 s of 720p30 test pattern with a continuous tone (ffmpeg CLI): in the preview
    /// preset two leading 2 s segments, then 22 of 4 s (24 in all); for a daemon alone with
    /// one worker, in 4 chunks (3, 2, then what remains in chunks of at most 10: 10, 9).
    static let source = Result { () throws -> URL in
        let file = try Fixtures.temporaryFolder("long").appendingPathComponent("Long Take (2020).mp4")
        try TestPattern.make(file, seconds: 90, size: "1280x720", gop: 60)
        return file
    }

    /// Copies the source into the vault, then renames it into ingest/ (taken at once).
    func drop(into daemon: Daemon, as name: String = "Long Take (2020).mp4") throws {
        try dropIntoIngest(try Self.source.get(), ingest: daemon.ingest, as: name)
    }

    /// The first title listed, once there is one in `status`.
    func waitForTitle(_ daemon: Daemon, status: String, timeout: Double = 120) throws -> String {
        var id = ""
        try waitUntil(timeout: timeout) {
            let items = try daemon.json("/api/media")["items"] as? [[String: Any]] ?? []
            id = items.first { $0["status"] as? String == status }?["id"] as? String ?? ""
            return !id.isEmpty
        }
        return id
    }

    func job(_ daemon: Daemon) throws -> [String: Any] {
        guard let id = try daemon.jobs().first?["id"] as? String else { throw TimedOut(seconds: 0) }
        return try daemon.json("/api/jobs/\(id)")
    }

    func chunks(_ daemon: Daemon) throws -> [[String: Any]] { try job(daemon)["chunks"] as? [[String: Any]] ?? [] }

    /// Segment URIs of a media playlist served now.
    func listed(_ daemon: Daemon, _ playlist: String) throws -> [String] {
        let text = String(decoding: try daemon.get(playlist).body, as: UTF8.self)
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map(String.init)
    }

    @Test func aTitleIsPlayableWhilePackagedAndWhatIsListedNeverChanges() throws {
        let daemon = try Daemon(extra: ["--workers", "1"])
        try drop(into: daemon)
        let id = try waitForTitle(daemon, status: "processing")
        let base = "/hls/\(id)"

        let master = try daemon.get("\(base)/master.m3u8")
        #expect(master.status == 200 && master.headers["cache-control"] == "no-cache")
        let masterText = String(decoding: master.body, as: UTF8.self)
        #expect(masterText.contains("BANDWIDTH=") && masterText.contains("CODECS=\"avc1."), "\(masterText)")
        let rung = try daemon.get("\(base)/720p/index.m3u8")
        let rungText = String(decoding: rung.body, as: UTF8.self)
        #expect(rung.headers["cache-control"] == "no-cache")
        #expect(rungText.contains("#EXT-X-PLAYLIST-TYPE:EVENT") && !rungText.contains("#EXT-X-ENDLIST"), "\(rungText)")
        let document = try daemon.json("/api/media/\(id)")
        #expect(document["status"] as? String == "processing" && document["progress"] is Double, "\(document)")
        // The MPD grows as a dynamic one whose every URL is a complete segment of the timeline it says.
        let mpd = try daemon.get("\(base)/manifest.mpd")
        #expect(mpd.status == 200 && mpd.headers["cache-control"] == "no-cache" && document["dash"] as? String == "\(base)/manifest.mpd")
        #expect(String(decoding: mpd.body, as: UTF8.self).contains(#"type="dynamic""#))
        let check = try runProcess(URL(fileURLWithPath: "/usr/bin/python3"), [
            DASHTests.readers.appendingPathComponent("check_mpd.py").path, "http://127.0.0.1:\(daemon.port)\(base)/manifest.mpd"])
        #expect(check.status == 0 && check.stdout.contains(#""problems": []"#), "\(check.stdout)\(check.stderr)")
        #expect(String(decoding: try daemon.get("/").body, as: UTF8.self).contains("processing"))

        // Every segment and init section listed while packaging, as served then, is the
        // finished file of that name; a listing only grows.
        var early: [String: Data] = [:]
        var counts: [Int] = [], dashCounts: [[Int]] = []
        try waitUntil(timeout: 300, seen: { "720p listings \(counts)" }) {
            let ready = try daemon.json("/api/media/\(id)")["status"] as? String == "ready"
            // Read before the playlists: the MPD is written after them, so it is never ahead.
            let dash = Self.timelineLengths(String(decoding: try daemon.get("\(base)/manifest.mpd").body, as: UTF8.self))
            for playlist in ["720p", "360p", "audio/und"] {
                let segments = try listed(daemon, "\(base)/\(playlist)/index.m3u8")
                if playlist == "720p" { counts.append(segments.count) }
                if playlist != "360p" {
                    #expect(dash.count == 2 && dash[playlist == "720p" ? 0 : 1] <= segments.count, "\(playlist): \(dash) vs \(segments.count)")
                }
                for uri in segments + ["init.mp4"] where early["\(playlist)/\(uri)"] == nil && !ready {
                    early["\(playlist)/\(uri)"] = try daemon.get("\(base)/\(playlist)/\(uri)").body
                }
            }
            dashCounts.append(dash)
            return ready
        }
        #expect(counts == counts.sorted() && counts.first! >= 1 && counts.last == 24, "\(counts)")
        #expect(dashCounts.map { $0.first ?? 0 } == dashCounts.map { $0.first ?? 0 }.sorted() && dashCounts.last?.first == 24, "\(dashCounts)")
        #expect(String(decoding: try daemon.get("\(base)/manifest.mpd").body, as: UTF8.self).contains(#"type="static""#))
        #expect(early.count > 6 && early.keys.contains("720p/init.mp4") && early.keys.contains("audio/und/init.mp4"))
        for (path, bytes) in early {
            #expect(try Data(contentsOf: daemon.root.appendingPathComponent("media/\(id)/\(path)")) == bytes, "\(path) changed")
        }
        let final = String(decoding: try daemon.get("\(base)/720p/index.m3u8").body, as: UTF8.self)
        #expect(final.contains("#EXT-X-ENDLIST") && final.contains("#EXT-X-PLAYLIST-TYPE:EVENT"))
        usleep(2_100_000)  // the server remembers a title's status for 2 s
        #expect(try daemon.get("\(base)/master.m3u8").headers["cache-control"] == "public, max-age=10")
        let done = try chunks(daemon)
        #expect(done.map { $0["index"] as? Int } == Array(0..<4), "\(done)")
        #expect(done.map { ($0["end"] as? Double ?? 0) - ($0["start"] as? Double ?? 0) }.dropFirst(2).first.map { abs($0 - 40) < 0.1 } == true,
                "the third chunk holds ten 4 s segments: \(done)")
        #expect(done.allSatisfy { $0["state"] as? String == "done" && $0["node"] is String && $0["end"] as? Double ?? 0 > $0["start"] as? Double ?? 0 })
        #expect(daemon.files(in: "work").isEmpty)
        // Chunks ran in the worker slot; the plan and the tracks beside them in the light
        // slot (a tracks task in the worker slot would hold up the first chunk). The finish
        // may take either: no chunk is left to wait for it.
        let starts = daemon.logText.split(separator: "\n").filter {
            $0.contains(", attempt 1 of") && !$0.contains(":finish:")
        }
        #expect(starts.count == 6, "\(starts)")
        for line in starts {
            #expect(line.hasSuffix(line.contains(":chunk:") ? "in a worker slot" : "in a light slot"), "\(line)")
        }
    }

    /// Segments in each `SegmentTimeline` of an MPD, in order (`S` elements, each `r + 1`).
    static func timelineLengths(_ mpd: String) -> [Int] {
        mpd.components(separatedBy: "<SegmentTimeline>").dropFirst().map { timeline in
            timeline.components(separatedBy: "</SegmentTimeline>")[0].matches(of: /<S [^>]*\/>/).reduce(0) { total, element in
                total + 1 + (element.output.firstMatch(of: /\sr="(\d+)"/).flatMap { Int($0.1) } ?? 0)
            }
        }
    }

    /// The players a title being packaged must play as it will play once finished.
    enum Player: String, CaseIterable, CustomTestStringConvertible {
        /// Chromium's own HLS on the watch page.
        case chromiumNative
        /// Video.js 7 (VHS over Media Source Extensions) on a page of another origin.
        case videoJS

        var testDescription: String { rawValue }
    }

    /// Plays title `id` served by `daemon` in `player` until 10 s (past the first chunk's
    /// 8 s) or an error, play asked `after` seconds once the page is loaded (the native
    /// player preloads meanwhile); returns the player's report.
    func play(_ player: Player, _ id: String, on daemon: Daemon, after: Int = 0) throws -> [String: Any] {
        switch player {
        case .chromiumNative: try Players.report("play_watch_page.py", "http://127.0.0.1:\(daemon.port)/watch/\(id)", "10", String(after))
        case .videoJS: try Players.report("play_videojs.py", "http://127.0.0.1:\(daemon.port)/hls/\(id)/master.m3u8", try Players.videoJS.get().path, "10")
        }
    }

    /// Issue 23: a player opened while the playlists grow (nothing paused) plays across the
    /// first chunk boundary while the title is still packaged, run after run, whether play
    /// comes at once or seconds after the page loaded. (Chromium's native HLS took the
    /// growing playlists for a live stream: played after its preload had drained what was
    /// listed, it reloaded and stopped with DEMUXER_ERROR_COULD_NOT_PARSE.)
    /// The daemon runs on one core, so that on a fast machine too the title is still being
    /// packaged once the player has played 10 s (it waits up to 8 s before it plays).
    @Test(arguments: Player.allCases) func aPlayerOpenedWhileThePlaylistsGrowPlaysAcrossAChunkBoundary(_ player: Player) throws {
        for (run, after) in [3, 0, 8, 3, 0].enumerated() {
            let daemon = try Daemon(extra: ["--workers", "1"], prefix: ["/usr/bin/taskset", "-c", "0"])
            defer { daemon.kill9() }
            try drop(into: daemon)
            let id = try waitForTitle(daemon, status: "processing")
            let report = try play(player, id, on: daemon, after: after)
            let status = try daemon.json("/api/media/\(id)")["status"] as? String
            #expect(report["error"] is NSNull && report["playError"] is NSNull, "run \(run): \(report)")
            #expect((report["time"] as? Double ?? 0) >= 10 && [640, 1280].contains(report["width"] as? Int ?? 0), "run \(run): \(report)")
            #expect(status == "processing", "run \(run): the title was \(status ?? "?") before \(player) had played 10 s")
        }
    }

    /// The same for a title packaged elsewhere: the page comes from a daemon of the vault
    /// that runs no chunk (`--workers 0`), so it learns of every segment from the catalog.
    /// The packager runs on one core, as above (on two, a loaded machine's Chromium had not
    /// played 10 s before the title was finished).
    @Test func aTitlePackagedByAnotherDaemonPlaysWhilePackaged() throws {
        for run in 1...3 {
            let packager = try Daemon(extra: ["--workers", "1", "--node", "packager"], prefix: ["/usr/bin/taskset", "-c", "0"])
            defer { packager.kill9() }
            let server = try Daemon(root: packager.root, extra: ["--workers", "0", "--node", "server"])
            defer { server.kill9() }
            try drop(into: server)
            let id = try waitForTitle(server, status: "processing")
            let report = try play(.chromiumNative, id, on: server, after: run == 2 ? 3 : 0)
            #expect(try server.json("/api/media/\(id)")["status"] as? String == "processing", "run \(run)")
            #expect(report["error"] is NSNull && (report["time"] as? Double ?? 0) >= 10, "run \(run): \(report)")
            let nodes = Set(try chunks(server).compactMap { $0["node"] as? String })
            #expect(nodes == ["packager"], "run \(run): chunks ran on \(nodes)")
        }
    }

    @Test func killMinus9MidTitleResumesWithoutRedoingFinishedChunks() throws {
        let daemon = try Daemon(extra: ["--workers", "1"])
        try drop(into: daemon)
        try waitUntil(timeout: 120) {
            let chunks = try chunks(daemon)
            return chunks.count == 4 && chunks[0]["state"] as? String == "done" && chunks[1]["state"] as? String == "done"
                && chunks[2]["state"] as? String == "running"
        }
        let id = try waitForTitle(daemon, status: "processing")
        let title = daemon.root.appendingPathComponent("media/\(id)")
        // The files of the finished chunks (segments 1-5 of every rung), as they are now.
        func stamps() throws -> [String: [Int]] {
            var stamps: [String: [Int]] = [:]
            for rung in ["720p", "360p"] {
                for name in ["init.mp4"] + (1...5).map({ String(format: "seg_%05d.m4s", $0) }) {
                    let attributes = try FileManager.default.attributesOfItem(atPath: title.appendingPathComponent("\(rung)/\(name)").path)
                    stamps["\(rung)/\(name)"] = [attributes[.systemFileNumber] as? Int ?? 0,
                                                 Int(((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0) * 1000)]
                }
            }
            return stamps
        }
        let before = try stamps()
        daemon.kill9()
        try daemon.start()
        _ = try waitForTitle(daemon, status: "ready")
        let jobs = try daemon.waitForJobs(count: 1, timeout: 120)
        #expect(jobs.first?["state"] as? String == "succeeded", "\(jobs)\n\(daemon.logText)")
        #expect(try stamps() == before, "finished chunks were written again")
        let resumed = try chunks(daemon)
        #expect(resumed[0]["attempts"] as? Int == 1 && resumed[1]["attempts"] as? Int == 1, "\(resumed)")
        #expect(daemon.files(in: "media") == [id] && daemon.files(in: "work").isEmpty)
        let playlist = String(decoding: try daemon.get("/hls/\(id)/720p/index.m3u8").body, as: UTF8.self)
        #expect(playlist.components(separatedBy: ".m4s").count - 1 == 24)
    }

    @Test func twoDaemonsOnOneVaultBothWorkOnOneTitle() throws {
        let first = try Daemon(extra: ["--workers", "1", "--node", "alpha"])
        let second = try Daemon(root: first.root, extra: ["--workers", "1", "--node", "beta"])
        try drop(into: first)
        _ = try waitForTitle(first, status: "ready")
        let shared = try chunks(first)
        let nodes = Set(shared.compactMap { $0["node"] as? String })
        #expect(nodes == ["alpha", "beta"], "\(shared)")
        #expect(try first.jobs().count == 1 && first.files(in: "media").count == 1)
        #expect(second.stop() == 0 && first.stop() == 0)
    }

    @Test func theSameContentDroppedTwiceEndsAsOneTitleAndADuplicate() throws {
        let daemon = try Daemon()
        try drop(into: daemon, as: "first.mp4")
        try drop(into: daemon, as: "second.mp4")
        let jobs = try daemon.waitForJobs(count: 2, timeout: 180)
        let states = jobs.compactMap { $0["state"] as? String }.sorted()
        #expect(states == ["duplicate", "succeeded"], "\(jobs)")
        let kept = try #require(jobs.first { $0["state"] as? String == "succeeded" }?["mediaId"] as? String)
        #expect(daemon.files(in: "media") == [kept])
        #expect(daemon.files(in: "originals/\(kept)") == ["first.mp4", "second.mp4"])
        #expect((try daemon.json("/api/media")["items"] as? [[String: Any]])?.count == 1)
        #expect(daemon.files(in: "work").isEmpty)
    }
}
