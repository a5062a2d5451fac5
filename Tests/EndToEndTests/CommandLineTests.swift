import Foundation
import Testing
import TestSupport

/// The built `streamvault` binary, run as a user would.
@Suite struct CommandLineTests {
    func streamvault(_ arguments: String...) throws -> ProcessOutput {
        try runProcess(Fixtures.binary, arguments, currentDirectory: Fixtures.repository)
    }

    @Test func probePrintsStreamsAndTheLadderAsJSON() throws {
        let output = try streamvault("probe", Fixtures.sample("testcard-720p30.mp4").path, "--json")
        #expect(output.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let ladder = try #require(report["ladder"] as? [[String: Any]])
        #expect(ladder.compactMap { $0["name"] as? String } == ["720p", "480p"])
        let streams = try #require(report["streams"] as? [[String: Any]])
        #expect(streams.count == 2)
        let video = try #require(streams.first?["info"] as? [String: Any])
        for key in ["codec", "profile", "width", "height", "sampleAspectRatio", "frameRate", "fieldOrder", "rotation", "bitRate"] {
            #expect(video[key] != nil, "probe lacks \(key)")
        }
    }

    @Test func probeShowsWhatHappensToEachStream() throws {
        let output = try streamvault("probe", Fixtures.sample("interlaced-pal-anamorphic-422.ts").path)
        #expect(output.status == 0)
        #expect(output.stdout.contains("deinterlace") && output.stdout.contains("DAR 16:9"))
        #expect(output.stdout.contains("480p") && output.stdout.contains("854x480"))
    }

    @Test func probeListsEveryTrackWithItsLanguageAndWhatItBecomes() throws {
        let output = try streamvault("probe", Fixtures.sample("multilang.mkv").path,
                                     "--subtitle", Fixtures.sample("testcard-720p30.es.srt").path,
                                     "--audio", Fixtures.sample("audio-only.m4a").path + ":de")
        #expect(output.status == 0, "\(output.stderr)")
        let plans = output.stdout.components(separatedBy: "\n").filter { $0.contains("→") }
        #expect(plans.count == 6, "\(output.stdout)")
        #expect(plans.contains { $0.hasSuffix(#"rendition audio/en "English" [en]"#) })
        #expect(plans.contains { $0.hasSuffix(#"rendition audio/fr "Français" [fr], default"#) })
        #expect(plans.contains { $0.hasSuffix(#"WebVTT rendition subs/en "English" [en]"#) })
        #expect(plans.contains { $0.hasSuffix(#"WebVTT rendition subs/es "Español" [es], 3 cue(s) (its text was read as Windows-1252 (Western European))"#) }, "probe counts the cues it would publish and says the encoding")
        #expect(plans.contains { $0.contains("dubbing: AAC-LC") && $0.hasSuffix(#"audio/de "Deutsch" [de]"#) })
    }

    @Test func badTracksAreLeftOutWithAWarningAndTheTitleStillPublishes() throws {
        let folder = try Fixtures.temporaryFolder("tracks")
        let garbage = folder.appendingPathComponent("movie.fr.srt")
        try Data("not subtitles at all\n".utf8).write(to: garbage)
        let missing = folder.appendingPathComponent("missing.m4a")
        let english = Fixtures.sample("testcard-720p30.en.srt").path
        // One cue readable, one whose timing is broken: the track is kept with the first alone.
        let partly = folder.appendingPathComponent("movie.it.srt")
        try Data("1\n00:00:01,000 --> 00:00:03,000\nBuongiorno\n\n2\n00:00:04,000 --> 00:00:0x,000\nRotto\n".utf8).write(to: partly)
        let output = try streamvault("transcode", Fixtures.sample("testcard-720p30.mp4").path, "--preset", "preview",
                                     "--out", folder.appendingPathComponent("out").path,
                                     "--subtitle", garbage.path, "--subtitle", english + ":xx", "--subtitle", english,
                                     "--subtitle", partly.path, "--audio", missing.path + ":de")
        #expect(output.status == 0, "\(output.stderr)")
        let warnings = output.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("warning: ") }
        #expect(warnings.count == 4, "\(output.stderr)")
        #expect(warnings.contains { $0.contains("movie.it.srt [it]: 1 cue(s) could not be read and were left out (line 6: its timing line") })
        let italian = try String(contentsOf: folder.appendingPathComponent("out/subs/it.vtt"), encoding: .utf8)
        #expect(italian.contains("Buongiorno") && !italian.contains("Rotto") && !italian.contains("00:00:0x"), "\(italian)")
        #expect(warnings.contains { $0.hasSuffix("movie.fr.srt [fr]: holds no subtitle cue that can be read; 1 cue(s) could not be read and were left out (line 1: has no timing line); the title is published without it") })
        #expect(warnings.contains { $0.contains(english + ": \"xx\" is not a language code") })
        #expect(warnings.contains { $0.hasSuffix("missing.m4a [de]: no such file; the title is published without it") })
        let master = try String(contentsOf: folder.appendingPathComponent("out/master.m3u8"), encoding: .utf8)
        #expect(master.components(separatedBy: "TYPE=SUBTITLES").count == 3 && master.contains(#"LANGUAGE="en""#) && master.contains(#"LANGUAGE="it""#))
        #expect(master.components(separatedBy: "TYPE=AUDIO").count == 2 && !master.contains(#"LANGUAGE="de""#))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/audio/de").path))
    }

    @Test(arguments: [("mp4", "mov_text"), ("mkv", "ass"), ("mkv", "webvtt"), ("mkv", "srt")])
    func everyTextSubtitleCodecBecomesWebVTT(container: String, codec: String) throws {
        let folder = try Fixtures.temporaryFolder("subtitle-codecs")
        let movie = folder.appendingPathComponent("movie.\(container)")
        let mux = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-i", Fixtures.sample("testcard-720p30.mp4").path, "-i", Fixtures.sample("testcard-720p30.en.srt").path,
            "-map", "0", "-map", "1", "-c:v", "copy", "-c:a", "copy", "-c:s", codec, "-metadata:s:s:0", "language=eng", movie.path])
        try #require(mux.status == 0, "\(mux.stderr)")
        let forced = folder.appendingPathComponent("movie.es.forced.srt")
        try FileManager.default.copyItem(at: Fixtures.sample("testcard-720p30.es.srt"), to: forced)
        let output = try streamvault("transcode", movie.path, "--preset", "preview", "--out", folder.appendingPathComponent("out").path,
                                     "--subtitle", forced.path)
        #expect(output.status == 0, "\(output.stderr)")
        let english = try String(contentsOf: folder.appendingPathComponent("out/subs/en.vtt"), encoding: .utf8)
        #expect(english.contains("00:00:03.000 --> 00:00:03.500\nFlash! (with a beep)\n"), "\(codec): \(english)")
        let master = try String(contentsOf: folder.appendingPathComponent("out/master.m3u8"), encoding: .utf8)
        #expect(master.contains(#"LANGUAGE="es",NAME="Español (forced)",DEFAULT=NO,AUTOSELECT=YES,FORCED=YES,URI="subs/es_forced/index.m3u8""#))
    }

    @Test func bitmapSubtitlesAreSkippedWithAWarningThatProbeAlsoShows() throws {
        // A minimal PGS (Blu-ray) track: two display sets of an empty composition, muxed
        // into Matroska beside the test card by the ffmpeg CLI.
        func segment(pts: UInt32, type: UInt8, _ payload: [UInt8]) -> [UInt8] {
            let size = UInt16(payload.count)
            return Array("PG".utf8) + withUnsafeBytes(of: pts.bigEndian, Array.init) + [0, 0, 0, 0, type]
                + withUnsafeBytes(of: size.bigEndian, Array.init) + payload
        }
        let composition: [UInt8] = [0x05, 0x00, 0x02, 0xD0, 0x10, 0, 0, 0x80, 0, 0, 0]
        let sup = [UInt32(90_000), 180_000].flatMap { segment(pts: $0, type: 0x16, composition) + segment(pts: $0, type: 0x80, []) }
        let folder = try Fixtures.temporaryFolder("pgs")
        try Data(sup).write(to: folder.appendingPathComponent("track.sup"))
        let movie = folder.appendingPathComponent("movie.mkv")
        let mux = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-i", Fixtures.sample("testcard-720p30.mp4").path, "-i", folder.appendingPathComponent("track.sup").path,
            "-map", "0", "-map", "1", "-c", "copy", movie.path])
        try #require(mux.status == 0, "\(mux.stderr)")

        let probe = try streamvault("probe", movie.path)
        #expect(probe.stdout.contains("→ skipped: bitmap subtitles (hdmv_pgs_subtitle) cannot become WebVTT"))
        let output = try streamvault("transcode", movie.path, "--preset", "preview", "--out", folder.appendingPathComponent("out").path)
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stderr.contains("warning: \(movie.path): stream #2 (hdmv_pgs_subtitle) skipped: bitmap subtitles"))
        let master = try String(contentsOf: folder.appendingPathComponent("out/master.m3u8"), encoding: .utf8)
        #expect(!master.contains("SUBTITLES"))
    }

    @Test(arguments: [
        ("missing.mp4", "no such file"),
        ("notes.mp4", "not a media file"),
        ("truncated.mp4", "truncated"),
        ("empty.mp4", "empty file"),
        ("subtitles-only.srt", "no usable video or audio stream"),
        ("wide-image.mp4", "the picture is 9000×16 pixels; the limit is 8192 pixels a side"),
        ("a-day-apart.mp4", "hours; the limit is 24 hours"),
    ])
    func badInputFailsWithOneClearLineAndLeavesNothing(name: String, cause: String) throws {
        let folder = try Fixtures.temporaryFolder("bad")
        let input = folder.appendingPathComponent(name)
        switch name {
        case "notes.mp4": try "not a video".write(to: input, atomically: true, encoding: .utf8)
        case "truncated.mp4": try Data(contentsOf: Fixtures.sample("testcard-720p30.mp4")).prefix(300_000).write(to: input)
        case "empty.mp4": try Data().write(to: input)
        case "subtitles-only.srt": try "1\n00:00:01,000 --> 00:00:02,000\nHello\n".write(to: input, atomically: true, encoding: .utf8)
        case "wide-image.mp4": try OverLimitSource.wideImage(input)  // a PNG named as a video
        case "a-day-apart.mp4": try OverLimitSource.framesADayApart(input)
        default: break
        }
        let before = try? Data(contentsOf: input)
        let output = try streamvault("transcode", input.path, "--out", folder.appendingPathComponent("out").path)
        #expect(output.status == 1)
        let lines = output.stderr.split(separator: "\n").filter { !$0.hasPrefix("progress ") }
        #expect(lines.count == 1, "stderr: \(output.stderr)")
        #expect(lines.first?.contains(input.path) == true && lines.first?.contains(cause) == true, "stderr: \(output.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != name }
        #expect(left.isEmpty, "left behind: \(left)")
        #expect((try? Data(contentsOf: input)) == before, "the input was modified")
    }

    /// One byte in a thousand flipped, at positions from Python's seeded generator (files
    /// whose headers survive: ffmpeg decodes them to the end): decoded past the
    /// damage as ffmpeg does, and published. (Before: "decode frame: Error number
    /// -67308554 occurred" and "resample audio: Input changed" for the two TS files.)
    @Test(arguments: [("ts", 1), ("ts", 3), ("mkv", 2), ("mp4", 2)])
    func aSlightlyDamagedFileIsDecodedPastTheDamageAndPublishes(container: String, seed: Int) throws {
        let folder = try Fixtures.temporaryFolder("damaged")
        let clean = folder.appendingPathComponent("clean.\(container)")
        let remux = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-i", Fixtures.sample("testcard-720p30.mp4").path, "-c", "copy", clean.path])
        #expect(remux.status == 0)
        let damaged = folder.appendingPathComponent("damaged.\(container)")
        let flipped = try runProcess(URL(fileURLWithPath: "/usr/bin/env"), ["python3", "-c", """
            import random, sys
            data = bytearray(open(sys.argv[1], "rb").read())
            rnd, n = random.Random(int(sys.argv[3])), len(data)
            for _ in range(n // 1000):
                i = rnd.randrange(0, n)
                data[i] ^= 1 << rnd.randrange(8)
            open(sys.argv[2], "wb").write(data)
            """, clean.path, damaged.path, String(seed)])
        #expect(flipped.status == 0, "\(flipped.stderr)")
        let output = try streamvault("transcode", damaged.path, "--out", folder.appendingPathComponent("out").path, "--preset", "preview")
        #expect(output.status == 0, "\(output.stderr.split(separator: "\n").filter { !$0.hasPrefix("progress") })")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("out/master.m3u8").path))
        let reference = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), ["-v", "quiet", "-i", damaged.path, "-f", "null", "-"])
        #expect(reference.status == 0, "ffmpeg decodes it too")
    }

    @Test func usageErrorsExitWithTwo() throws {
        #expect(try streamvault("transcode").status == 2)
        #expect(try streamvault("probe", "a", "--no-such-flag").status == 2)
        let root = try Fixtures.temporaryFolder("vault").path
        let malformed = try streamvault("jobs", "--root", root, "--catalog", "postgres://films:hunter2@db.local/")
        #expect(malformed.status == 2 && malformed.stderr.contains("postgres://films:***@db.local/: no database name"), "\(malformed.stderr)")
        #expect(!malformed.stderr.contains("hunter2"))
        // A key set that cannot be used stops serve before it starts, naming the file and the cause.
        let keys = URL(fileURLWithPath: root).appendingPathComponent("keys.json")
        try Data(#"{"keys": [{"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}]}"#.utf8).write(to: keys)
        for (file, cause) in [(keys.path, "has no kid"), (root + "/missing.json", "cannot be read")] {
            let refused = try streamvault("serve", "--root", root, "--http", "127.0.0.1:1", "--playback-keys", file)
            #expect(refused.status == 2 && refused.stderr.contains(file) && refused.stderr.contains(cause), "\(refused.stderr)")
        }
        let keygen = try streamvault("keygen", "--alg", "ES256", "--private", keys.path, "--keys", root + "/set.json")
        #expect(keygen.status == 2 && keygen.stderr.contains("never overwritten"), "a private key file is never replaced")
    }

    @Test func anUnreachableCatalogIsAnErrorInWordsNotAHang() throws {
        let root = try Fixtures.temporaryFolder("vault").path
        let port = try PostgresServer.freePort()
        let output = try streamvault("jobs", "--root", root, "--catalog", "postgres://films:hunter2@127.0.0.1:\(port)/films")
        #expect(output.status == 1 && output.stderr.contains("error: catalog unreachable: postgres://films:***@127.0.0.1:\(port)/films"))
        #expect(output.stderr.contains("trying again in 1 s") && !output.stderr.contains("hunter2"), "\(output.stderr)")
    }

    @Test func presetsListsTheRepositoryPresets() throws {
        let output = try streamvault("presets")
        #expect(output.status == 0)
        for name in ["default", "preview", "broadcast-ts"] { #expect(output.stdout.contains("\(name):")) }
    }
}
