import Foundation
import Testing
import TestSupport

/// Subtitle files as they come (SPEC §16), dropped with a captioned broadcast into the real
/// daemon: each track published with the cues that can be read, or left out, and the job
/// says why per track over HTTP and on the command line; the closed captions in the video
/// become a rendition of their own; Chromium's `<track>` elements load every cue; Video.js
/// lists every subtitle rendition. Hostile files (binary, 2 GB, a 10 MB cue) each end as a
/// warning, never a stuck job.
@Suite(.serialized) struct SubtitleIntakeTests {
    let daemon: Daemon
    let job: [String: Any]

    static let stem = "Evening News (2024)"
    /// The subtitle renditions' languages, sorted: the captions (English), then the sidecars with a readable cue.
    static let published = ["de", "en", "fr", "it", "ru"]

    /// The sidecars dropped beside the video: name suffix and bytes.
    static let sidecars: [(String, Data)] = [
        // One cue readable, one whose timing is broken (kept out alone).
        ("fr.srt", Data("1\n00:00:01,000 --> 00:00:03,000\nBonsoir\n\n2\n00:00:04,000 --> 00:00:0x,000\nCassé\n".utf8)),
        // Windows-1251, as Russian subtitles are often saved.
        ("ru.srt", "1\r\n00:00:01,000 --> 00:00:03,000\r\nДобрый вечер, мир!\r\n".data(using: .windowsCP1251)!),
        // Netflix-style WebVTT: NOTE blocks, settings, a line of only white space between cues.
        ("it.vtt", Data("WEBVTT\n\nNOTE made by a tool\n\n1\n00:00:01.000 --> 00:00:03.000 line:10%\nBuonasera\n \t\n2\n00:00:04.000 --> 00:00:06.000\n<i>Notizie</i>\n".utf8)),
        // A cue of 10 MB of text beside a good one.
        ("de.srt", Data(("1\n00:00:01,000 --> 00:00:02,000\n" + String(repeating: "A", count: 10 << 20) + "\n\n2\n00:00:03,000 --> 00:00:04,000\nGuten Abend\n").utf8)),
        // Binary data named .srt.
        ("nl.srt", Data((0..<65536).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) })),
    ]

    init() throws {
        daemon = try Daemon()
        for (suffix, bytes) in Self.sidecars {
            try bytes.write(to: daemon.ingest.appendingPathComponent("\(Self.stem).\(suffix)"))
        }
        // 2 GB (sparse): refused by its size, never read.
        let huge = daemon.ingest.appendingPathComponent("\(Self.stem).sv.srt")
        FileManager.default.createFile(atPath: huge.path, contents: nil)
        let handle = try FileHandle(forWritingTo: huge)
        try handle.truncate(atOffset: 2 << 30)
        try handle.close()
        try FileManager.default.copyItem(at: Fixtures.sample("captions-cc1.mp4"), to: daemon.ingest.appendingPathComponent("\(Self.stem).mp4"))
        job = try #require(daemon.waitForJobs(count: 1, timeout: 90).first)
    }

    var base: String { "http://127.0.0.1:\(daemon.port)" }
    var mediaId: String { job["mediaId"] as? String ?? "" }

    @Test func theJobSaysWhatHappenedToEachTrack() throws {
        #expect(job["state"] as? String == "succeeded", "\(job)")
        let detail = try daemon.json("/api/jobs/\(job["id"] as? String ?? "")")
        let warnings = try #require(detail["warnings"] as? [[String: Any]], "\(detail)")
        let byFile = Dictionary(uniqueKeysWithValues: warnings.map { ($0["file"] as? String ?? "", $0) })
        #expect(Set(byFile.keys) == Set(["fr", "ru", "de", "nl", "sv"].map { "\(Self.stem).\($0).srt" }), "\(warnings)")

        let french = try #require(byFile["\(Self.stem).fr.srt"])
        #expect(french["language"] as? String == "fr" && french["cuesRead"] as? Int == 1 && french["cuesDropped"] as? Int == 1)
        #expect(french["published"] as? Bool == true)
        #expect((french["reason"] as? String)?.hasPrefix("1 cue(s) could not be read and were left out (line 6: its timing line") == true)
        let russian = try #require(byFile["\(Self.stem).ru.srt"])
        #expect(russian["reason"] as? String == "its text was read as Windows-1251 (Cyrillic)" && russian["published"] as? Bool == true)
        let german = try #require(byFile["\(Self.stem).de.srt"])
        #expect(german["cuesRead"] as? Int == 1 && german["cuesDropped"] as? Int == 1)
        #expect((german["reason"] as? String)?.contains("line 2: holds more than 16 KiB of text") == true, "\(german)")
        let binary = try #require(byFile["\(Self.stem).nl.srt"])
        #expect(binary["published"] as? Bool == false && binary["reason"] as? String == "is not text (binary data, or an encoding that cannot be told)")
        let huge = try #require(byFile["\(Self.stem).sv.srt"])
        #expect(huge["published"] as? Bool == false
                && (huge["reason"] as? String)?.hasPrefix("is larger than 64 MiB (2048 MiB)") == true, "\(huge)")

        let printed = try daemon.cli("job", job["id"] as? String ?? "")
        #expect(printed.status == 0)
        #expect(printed.stdout.contains("  warning   \(Self.stem).fr.srt [fr]: 1 cue(s) could not be read"), "\(printed.stdout)")
        #expect(printed.stdout.contains("(1 cue(s) read, 1 dropped)"))
    }

    @Test func everyReadableTrackAndTheClosedCaptionsArePublished() throws {
        let media = try daemon.json("/api/media/\(mediaId)")
        let subtitles = media["subtitles"] as? [[String: Any]] ?? []
        #expect(subtitles.compactMap { $0["language"] as? String }.sorted() == Self.published, "\(subtitles)")
        let master = try #require(String(data: daemon.get("/hls/\(mediaId)/master.m3u8").body, encoding: .utf8))
        #expect(master.contains(#"TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",LANGUAGE="en",NAME="English",DEFAULT=NO,AUTOSELECT=YES,INSTREAM-ID="CC1""#))
        #expect(master.contains(#"NAME="English (CC)""#) && master.contains(#"URI="subs/cc1/index.m3u8""#))
        let french = try #require(String(data: daemon.get("/hls/\(mediaId)/subs/fr.vtt").body, encoding: .utf8))
        #expect(french.contains("Bonsoir") && !french.contains("Cassé") && !french.contains("00:00:0x"))
        let russian = try #require(String(data: daemon.get("/hls/\(mediaId)/subs/ru.vtt").body, encoding: .utf8))
        #expect(russian.contains("Добрый вечер, мир!"))
        let german = try #require(String(data: daemon.get("/hls/\(mediaId)/subs/de.vtt").body, encoding: .utf8))
        #expect(german.contains("Guten Abend") && german.utf8.count < 1000)
    }

    @Test func chromiumLoadsTheCuesOfEveryTrackOnTheWatchPage() throws {
        let report = try Players.report("play_watch_page.py", "\(base)/watch/\(mediaId)", "2")
        #expect(report["error"] is NSNull && report["playError"] is NSNull, "\(report)")
        let tracks = report["tracks"] as? [[String: Any]] ?? []
        let cues = Dictionary(tracks.map { track in
            (track["language"] as? String ?? "", (track["cues"] as? [[String: Any]] ?? []).compactMap { $0["text"] as? String })
        }, uniquingKeysWith: { first, _ in first })
        #expect(tracks.count == Self.published.count && cues == [
            "en": ["HELLO FROM CC1", "TWO ROWS,\nONE CAPTION", "ROLL UP ONE", "ROLL UP ONE\nROLL UP TWO"], "de": ["Guten Abend"],
            "fr": ["Bonsoir"], "it": ["Buonasera", "<i>Notizie</i>"], "ru": ["Добрый вечер, мир!"],
        ], "\(tracks)")
        let first = tracks.first { $0["language"] as? String == "en" }.flatMap { ($0["cues"] as? [[String: Any]])?.first }
        #expect(abs((first?["start"] as? Double ?? 0) - 28 * 1001 / 30000.0) < 0.002, "the caption shows at its frame")
    }

    @Test func videoJSListsEverySubtitleRendition() throws {
        let report = try Players.report("play_videojs.py", "\(base)/hls/\(mediaId)/master.m3u8", try Players.videoJS.get().path, "2")
        #expect(report["error"] is NSNull, "\(report)")
        let text = report["textTracks"] as? [[String: Any]] ?? []
        // English twice: the captions' WebVTT rendition, and VHS's own CC1 track from the CLOSED-CAPTIONS group.
        #expect(text.compactMap { $0["language"] as? String }.sorted() == ["de", "en", "en", "fr", "it", "ru"], "\(text)")
        #expect(Set(text.compactMap { $0["label"] as? String }).isSuperset(of: ["English (CC)", "English"]), "\(text)")
    }
}
