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
    static let published = ["da", "de", "en", "es", "fr", "it", "pl", "pt", "ru"]

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
        // A fansub ASS: a sign placed at the top, out of order, with a drawing.
        ("es.ass", Data("""
            [Script Info]
            PlayResX: 1920
            PlayResY: 1080

            [Events]
            Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
            Dialogue: 0,0:00:04.00,0:00:06.00,Default,,0,0,0,,{\\i1}Noticias{\\i0}
            Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,{\\an8}Buenas noches
            Dialogue: 1,0:00:01.00,0:00:03.00,Sign,,0,0,0,,{\\p1}m 0 0 l 100 0 100 100{\\p0}

            """.utf8)),
        // A studio DFXP timed in ticks.
        ("pt.dfxp", Data(#"<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttp="http://www.w3.org/ns/ttml#parameter" ttp:tickRate="10000000"><body><div><p begin="10000000t" end="30000000t">Boa noite</p></div></body></tt>"#.utf8)),
        // SAMI from an old player.
        ("pl.smi", Data("<SAMI><BODY><SYNC Start=1000><P Class=PLPLCC>Dobry wieczór<SYNC Start=3000><P Class=PLPLCC>&nbsp;</BODY></SAMI>".utf8)),
        // Scenarist captions.
        ("da.scc", Data("Scenarist_SCC V1.0\n\n00:00:01:00\t9420 9420 94ae 94ae 9470 9470 c845 4a80 942f 942f\n\n00:00:03:00\t942c 942c\n".utf8)),
        // A TTML entity bomb ("billion laughs"), and TTML nested 10,000 deep.
        ("ko.ttml", Data(("<?xml version=\"1.0\"?>\n<!DOCTYPE tt [<!ENTITY lol \"lol\">" + (1...9).map { level in
            "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level == 1 ? "" : String(level - 1));", count: 10) + "\">" }.joined()
            + "]>\n<tt xmlns=\"http://www.w3.org/ns/ttml\"><body><div><p begin=\"1s\" end=\"2s\">&lol9;</p></div></body></tt>").utf8)),
        ("el.ttml", Data(("<tt xmlns=\"http://www.w3.org/ns/ttml\"><body>" + String(repeating: "<div>", count: 10_000) + "<p begin=\"1s\" end=\"2s\">deep</p></body></tt>").utf8)),
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
        #expect(Set(byFile.keys) == Set(["fr", "ru", "de", "nl", "sv"].map { "\(Self.stem).\($0).srt" } + ["ko", "el"].map { "\(Self.stem).\($0).ttml" }),
                "\(warnings)")

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

        let bomb = try #require(byFile["\(Self.stem).ko.ttml"])
        #expect(bomb["published"] as? Bool == false
                && (bomb["reason"] as? String)?.contains("declares XML entities, which are not read (entity-expansion attack)") == true, "\(bomb)")
        let deep = try #require(byFile["\(Self.stem).el.ttml"])
        #expect(deep["published"] as? Bool == false && (deep["reason"] as? String)?.contains("64") == true, "\(deep)")

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
            "es": ["Buenas noches", "<i>Noticias</i>"], "pt": ["Boa noite"], "pl": ["Dobry wieczór"], "da": ["HEJ"],
        ], "\(tracks)")
        let first = tracks.first { $0["language"] as? String == "en" }.flatMap { ($0["cues"] as? [[String: Any]])?.first }
        #expect(abs((first?["start"] as? Double ?? 0) - 28 * 1001 / 30000.0) < 0.002, "the caption shows at its frame")
    }

    @Test func videoJSListsEverySubtitleRendition() throws {
        let report = try Players.report("play_videojs.py", "\(base)/hls/\(mediaId)/master.m3u8", try Players.videoJS.get().path, "2")
        #expect(report["error"] is NSNull, "\(report)")
        let text = report["textTracks"] as? [[String: Any]] ?? []
        // English twice: the captions' WebVTT rendition, and VHS's own CC1 track from the CLOSED-CAPTIONS group.
        #expect(text.compactMap { $0["language"] as? String }.sorted() == (Self.published + ["en"]).sorted(), "\(text)")
        #expect(Set(text.compactMap { $0["label"] as? String }).isSuperset(of: ["English (CC)", "English"]), "\(text)")
    }
}
