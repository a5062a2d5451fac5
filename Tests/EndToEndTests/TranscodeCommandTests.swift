import Foundation
import Testing
import TestSupport

/// `streamvault transcode` on real-world kinds of source, checked with ffprobe.
@Suite struct TranscodeCommandTests {
    func transcode(_ sample: String, _ extra: String...) throws -> (folder: URL, result: [String: Any]) {
        let folder = try Fixtures.temporaryFolder("cli").appendingPathComponent("title")
        let output = try runProcess(Fixtures.binary, ["transcode", Fixtures.sample(sample).path, "--out", folder.path, "--json"] + extra,
                                    currentDirectory: Fixtures.repository)
        #expect(output.status == 0, "stderr: \(output.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] ?? [:]
        return (folder, result)
    }

    func videoStream(_ playlist: URL, countFrames: Bool = false) throws -> [String: Any] {
        try FFprobe.streams(playlist, extra: countFrames ? ["-count_frames"] : []).first { $0.string("codec_type") == "video" } ?? [:]
    }

    @Test func phoneClipStaysPortraitAtAConstantFrameRate() throws {
        let (folder, result) = try transcode("phone-portrait-vfr.mp4")
        let rungs = result["video"] as? [[String: Any]] ?? []
        #expect(rungs.map { "\($0["width"]!)x\($0["height"]!)" } == ["360x640"])
        let stream = try videoStream(folder.appendingPathComponent("360p/index.m3u8"), countFrames: true)
        #expect(stream.number("width") == 360 && stream.number("height") == 640)
        #expect(stream.string("r_frame_rate") == "30/1" && stream.string("avg_frame_rate") == "30/1")
        #expect(stream.number("nb_read_frames") == 120)
    }

    @Test func interlacedAnamorphic422BecomesProgressiveSquarePixel420() throws {
        let (folder, _) = try transcode("interlaced-pal-anamorphic-422.ts")
        let stream = try videoStream(folder.appendingPathComponent("480p/index.m3u8"))
        #expect(stream.number("width") == 854 && stream.number("height") == 480)
        #expect(stream.string("pix_fmt") == "yuv420p")
        let frames = try FFprobe.frames(folder.appendingPathComponent("480p/index.m3u8"), entries: "frame=interlaced_frame")
        #expect(frames.count == 75 && frames.allSatisfy { $0.number("interlaced_frame") == 0 })
        #expect(["1:1", nil].contains(stream.string("sample_aspect_ratio")))
    }

    @Test func hdrBecomesToneMappedSDR() throws {
        let (folder, _) = try transcode("hdr10-pq-10bit.mp4")
        let playlist = folder.appendingPathComponent("360p/index.m3u8")
        let stream = try videoStream(playlist)
        #expect(stream.string("pix_fmt") == "yuv420p" && stream.string("color_transfer") == "bt709")
        #expect(stream.string("color_primaries") == "bt709")
        // Not washed out: the picture still spans most of the luma range.
        let stats = try FFprobe.filteredFrames("movie=\(playlist.path),signalstats",
                                               entries: "frame_tags=lavfi.signalstats.YMIN,lavfi.signalstats.YMAX")
        let tags = stats.first?["tags"] as? [String: Any] ?? [:]
        #expect((tags.number("lavfi.signalstats.YMAX") ?? 0) - (tags.number("lavfi.signalstats.YMIN") ?? 255) > 150)
    }

    /// An HDR source made here (x265 Main10, BT.2020, PQ with mastering display and light
    /// levels in its SEI, or HLG) keeps its range in the HDR rung, beside the SDR rungs it is
    /// tone-mapped for; the master and the MPD say which is which.
    @Test(arguments: ["smpte2084", "arib-std-b67"]) func anHDRSourceKeepsItsRangeInItsHDRRung(transfer: String) throws {
        let folder = try Fixtures.temporaryFolder("hdr")
        let source = folder.appendingPathComponent("hdr.mp4")
        let hdr10 = transfer == "smpte2084"
            ? ":hdr10=1:master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,50):max-cll=1000,400" : ""
        let made = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=2", "-pix_fmt", "yuv420p10le",
            "-c:v", "libx265", "-preset", "ultrafast", "-color_primaries", "bt2020", "-color_trc", transfer, "-colorspace", "bt2020nc",
            "-x265-params", "log-level=error:colorprim=bt2020:transfer=\(transfer):colormatrix=bt2020nc" + hdr10, "-tag:v", "hvc1", source.path])
        try #require(made.status == 0, "\(made.stderr)")
        let preset = folder.appendingPathComponent("hdr.json")
        try Data(#"""
            {"name": "hdr", "segmentDuration": 2, "keyframeInterval": 1, "rungs": [
             {"name": "360p", "height": 360, "bitrate": 500000, "maxrate": 600000, "bufsize": 1200000},
             {"name": "360p-hdr", "height": 360, "bitrate": 400000, "maxrate": 500000, "bufsize": 1000000, "codec": "hevc", "dynamicRange": "hdr"},
             {"name": "180p-hdr", "height": 180, "bitrate": 150000, "maxrate": 200000, "bufsize": 400000, "codec": "hevc", "dynamicRange": "hdr"}]}
            """#.utf8).write(to: preset)
        let title = folder.appendingPathComponent("title")
        let output = try runProcess(Fixtures.binary, ["transcode", source.path, "--out", title.path, "--preset", preset.path])
        try #require(output.status == 0, "\(output.stderr)")
        let sdr = try videoStream(title.appendingPathComponent("360p/index.m3u8"))
        #expect(sdr.string("pix_fmt") == "yuv420p" && sdr.string("color_transfer") == "bt709" && sdr.string("color_primaries") == "bt709")
        for rung in ["360p-hdr", "180p-hdr"] {
            let kept = try videoStream(title.appendingPathComponent("\(rung)/index.m3u8"))
            #expect(kept.string("pix_fmt") == "yuv420p10le" && kept.string("profile") == "Main 10" && kept.string("codec_tag_string") == "hvc1", "\(kept)")
            #expect(kept.string("color_transfer") == transfer && kept.string("color_primaries") == "bt2020" && kept.string("color_space") == "bt2020nc")
        }
        let frames = try FFprobe.json(["-select_streams", "v", "-read_intervals", "%+#1", "-show_entries", "frame_side_data_list",
                                       title.appendingPathComponent("360p-hdr/index.m3u8").path])["frames"] as? [[String: Any]] ?? []
        let sideData = (frames.first?["side_data_list"] as? [[String: Any]]) ?? []
        let mastering = sideData.first { $0.string("side_data_type") == "Mastering display metadata" }
        let light = sideData.first { $0.string("side_data_type") == "Content light level metadata" }
        if hdr10.isEmpty {
            #expect(mastering == nil && light == nil, "HLG carries no HDR10 metadata: \(sideData)")
        } else {
            #expect(mastering?.string("max_luminance") == "10000000/10000" && mastering?.string("red_x") == "34000/50000", "\(sideData)")
            #expect(light?.number("max_content") == 1000 && light?.number("max_average") == 400, "\(sideData)")
        }
        let range = transfer == "smpte2084" ? "PQ" : "HLG"
        let master = try String(contentsOf: title.appendingPathComponent("master.m3u8"), encoding: .utf8)
        let variants = master.components(separatedBy: "\n").filter { $0.hasPrefix("#EXT-X-STREAM-INF:") }
        #expect(variants.count == 3 && variants.first?.contains("avc1.") == true && variants.first?.contains("VIDEO-RANGE=SDR") == true, "\(master)")
        #expect(variants.dropFirst().allSatisfy { $0.contains("VIDEO-RANGE=\(range)") && $0.contains("CODECS=\"hvc1.2.4.") }, "\(master)")
        #expect(master.contains("#EXT-X-I-FRAME-STREAM-INF:") && master.components(separatedBy: "\n")
            .filter { $0.hasPrefix("#EXT-X-I-FRAME-STREAM-INF:") }.allSatisfy { $0.contains("VIDEO-RANGE=") }, "\(master)")
        let mpd = try String(contentsOf: title.appendingPathComponent("manifest.mpd"), encoding: .utf8)
        #expect(mpd.contains(#"schemeIdUri="urn:mpeg:mpegB:cicp:TransferCharacteristics" value="\#(range == "PQ" ? "16" : "18")""#), "\(mpd)")
        #expect(mpd.components(separatedBy: #"contentType="video""#).count == 3, "an AdaptationSet for SDR, one for HDR")
        let played = try Players.gstreamer(title.appendingPathComponent("360p-hdr/index.m3u8").absoluteString)
        #expect(played.ended, "GStreamer plays the HDR rendition: \(played.output.suffix(2000))")
    }

    /// An SDR source gets no HDR rung, and `probe` says so; a source whose transfer is PQ but
    /// whose primaries are BT.709 is contradictory: SDR rungs only, and why.
    @Test func probeSaysWhichRungsASourceGetsAndWhy() throws {
        let sdr = try runProcess(Fixtures.binary, ["probe", Fixtures.sample("testcard-720p30.mp4").path, "--preset", "tv"],
                                 currentDirectory: Fixtures.repository)
        #expect(sdr.status == 0 && !sdr.stdout.contains("-hdr "), "\(sdr.stdout)")
        #expect(sdr.stdout.contains("note: above the source's 720p, left out: 1080p, 1440p, 2160p, 1080p-hevc, 2160p-hevc, 1080p-hdr, 2160p-hdr"), "\(sdr.stdout)")
        #expect(sdr.stdout.contains("note: SDR source (transfer unknown): no HDR rung"), "\(sdr.stdout)")
        let folder = try Fixtures.temporaryFolder("contradictory")
        let source = folder.appendingPathComponent("pq-bt709.mp4")
        let made = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30:duration=1", "-pix_fmt", "yuv420p10le",
            "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error:colorprim=bt709:transfer=smpte2084:colormatrix=bt709",
            "-color_primaries", "bt709", "-color_trc", "smpte2084", "-colorspace", "bt709", source.path])
        try #require(made.status == 0, "\(made.stderr)")
        let preset = folder.appendingPathComponent("hdr.json")
        try Data(#"""
            {"name": "hdr", "rungs": [{"name": "360p", "height": 360, "bitrate": 500000, "maxrate": 600000, "bufsize": 1200000},
             {"name": "360p-hdr", "height": 360, "bitrate": 400000, "maxrate": 500000, "bufsize": 1000000, "codec": "hevc", "dynamicRange": "hdr"}]}
            """#.utf8).write(to: preset)
        let probed = try runProcess(Fixtures.binary, ["probe", source.path, "--preset", preset.path])
        #expect(probed.stdout.contains("transfer smpte2084 with bt709 primaries is contradictory"), "\(probed.stdout)")
        #expect(probed.stdout.contains("HDR rungs left out (the source has no HDR they can keep): 360p-hdr"), "\(probed.stdout)")
        let title = folder.appendingPathComponent("title")
        let output = try runProcess(Fixtures.binary, ["transcode", source.path, "--out", title.path, "--preset", preset.path])
        #expect(output.status == 0, "it still publishes: \(output.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: title.path).contains("360p"))
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: title.path).contains("360p-hdr")))
    }

    @Test func audioOnlySourceGivesAnAudioOnlyMaster() throws {
        let (folder, result) = try transcode("audio-only.m4a")
        #expect((result["video"] as? [Any])?.isEmpty == true)
        let master = try String(contentsOf: folder.appendingPathComponent("master.m3u8"), encoding: .utf8)
        #expect(master.contains(#"CODECS="mp4a.40.2""#) && !master.contains("RESOLUTION") && !master.contains("TYPE=AUDIO"))
        let contents = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(contents == ["audio", "manifest.mpd", "master.m3u8"])
        #expect(try FFprobe.streams(folder.appendingPathComponent("master.m3u8")).first?.string("codec_name") == "aac")
        // The MPD of an audio-only title: its audio AdaptationSet alone.
        let mpd = try String(contentsOf: folder.appendingPathComponent("manifest.mpd"), encoding: .utf8)
        #expect(mpd.contains(#"contentType="audio""#) && !mpd.contains(#"contentType="video""#), "\(mpd)")
        #expect(try FFprobe.streams(folder.appendingPathComponent("manifest.mpd")).first?.string("codec_name") == "aac")
    }

    @Test func hevcRungIsTaggedHvc1WithItsCodecString() throws {
        let folder = try Fixtures.temporaryFolder("hevc")
        let preset = folder.appendingPathComponent("hevc.json")
        try Data(#"{"name": "hevc", "rungs": [{"name": "360p", "height": 360, "bitrate": 600000, "maxrate": 650000, "bufsize": 1300000, "codec": "hevc"}]}"#.utf8)
            .write(to: preset)
        let (title, _) = try transcode("phone-portrait-vfr.mp4", "--preset", preset.path)
        let stream = try videoStream(title.appendingPathComponent("360p/index.m3u8"))
        #expect(stream.string("codec_name") == "hevc" && stream.string("codec_tag_string") == "hvc1")
        let master = try String(contentsOf: title.appendingPathComponent("master.m3u8"), encoding: .utf8)
        let level = Int(stream.number("level") ?? 0)
        #expect(master.contains("CODECS=\"hvc1.1.6.L\(level).90,mp4a.40.2\""), "\(master)")
        let played = try Players.gstreamer(title.appendingPathComponent("360p/index.m3u8").absoluteString)
        #expect(played.ended, "GStreamer plays the HEVC rendition: \(played.output.suffix(2000))")
    }

    @Test func av1RungBesideH264HasItsCodecStringFromAv1CAndKeyframesOnTheGrid() throws {
        let folder = try Fixtures.temporaryFolder("av1")
        let preset = folder.appendingPathComponent("av1.json")
        try Data(#"""
            {"name": "av1", "segmentDuration": 2, "keyframeInterval": 1, "rungs": [
             {"name": "360p", "height": 360, "bitrate": 500000, "maxrate": 700000, "bufsize": 1400000},
             {"name": "360p-av1", "height": 360, "bitrate": 300000, "maxrate": 400000, "bufsize": 800000, "codec": "av1"}]}
            """#.utf8).write(to: preset)
        let (title, _) = try transcode("testcard-720p30.mp4", "--preset", preset.path)
        let stream = try videoStream(title.appendingPathComponent("360p-av1/index.m3u8"))
        #expect(stream.string("codec_name") == "av1" && stream.string("codec_tag_string") == "av01")
        // av1C (AV1-ISOBMFF §2.3): marker and version, then profile (3 bits) and level (5), tier, bit depth.
        let initSegment = try [UInt8](Data(contentsOf: title.appendingPathComponent("360p-av1/init.mp4")))
        let box = try #require(initSegment.indices.dropLast(8).first { initSegment[$0..<$0 + 4].elementsEqual("av1C".utf8) })
        let (first, second) = (initSegment[box + 5], initSegment[box + 6])
        let level = Int(first & 0x1F), depth = second & 0x40 != 0 ? 10 : 8
        let expected = "av01.\(first >> 5).\(level < 10 ? "0" : "")\(level)\(second & 0x80 != 0 ? "H" : "M").\(depth == 8 ? "08" : "10")"
        let master = try String(contentsOf: title.appendingPathComponent("master.m3u8"), encoding: .utf8)
        #expect(master.contains("CODECS=\"\(expected),mp4a.40.2\""), "\(expected) in \(master)")
        let variants = master.components(separatedBy: "\n").filter { $0.hasPrefix("#EXT-X-STREAM-INF:") }
        #expect(variants.first?.contains("avc1.") == true, "H.264 first, whatever the bandwidths: \(master)")
        // Every segment opens with a keyframe, as the H.264 rung's do.
        let playlist = try String(contentsOf: title.appendingPathComponent("360p-av1/index.m3u8"), encoding: .utf8)
        let header = try Data(contentsOf: title.appendingPathComponent("360p-av1/init.mp4"))
        for name in playlist.split(separator: "\n").filter({ $0.hasSuffix(".m4s") }) {
            let file = try Fixtures.temporaryFolder("av1-segment").appendingPathComponent("segment.mp4")
            try (header + Data(contentsOf: title.appendingPathComponent("360p-av1/\(name)"))).write(to: file)
            let frames = try FFprobe.frames(file, entries: "frame=key_frame")
            #expect(frames.first?.number("key_frame") == 1 && frames.count >= 29, "\(name): \(frames.count) frames")
        }
        let played = try Players.gstreamer(title.appendingPathComponent("360p-av1/index.m3u8").absoluteString)
        #expect(played.ended, "GStreamer plays the AV1 rendition: \(played.output.suffix(2000))")
        let mpd = try String(contentsOf: title.appendingPathComponent("manifest.mpd"), encoding: .utf8)
        #expect(mpd.contains(#"codecs="\#(expected)""#) && mpd.components(separatedBy: #"contentType="video""#).count == 3)
    }

    /// 4 s of 320x180 H.264 with 5.1 AAC whose channels (FL|FR|FC|LFE|SL|SR) are the
    /// `aevalsrc` expressions `channels`, made by the ffmpeg CLI in `folder`.
    func surroundSource(in folder: URL, channels: String, language: String? = nil) throws -> URL {
        let source = folder.appendingPathComponent("surround.mp4")
        let made = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=4", "-f", "lavfi",
            "-i", "aevalsrc=\(channels):c=5.1:s=48000:d=4", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac", "-b:a", "384k"]
            + (language.map { ["-metadata:s:a:0", "language=\($0)"] } ?? []) + ["-shortest", source.path])
        try #require(made.status == 0, "\(made.stderr)")
        return source
    }

    /// A 5.1 source and a stereo dub: beside the stereo `aac` group, an `eac3` group with a
    /// member per language (5.1 for the source's track, mono for the mono dub), same names and
    /// defaults; each video variant once per group, AAC first; DASH lists both codecs.
    @Test func aSurroundSourceGetsAnEAC3GroupBesideTheStereoOne() throws {
        let folder = try Fixtures.temporaryFolder("eac3")
        let source = try surroundSource(in: folder, channels: "0.1*sin(2*PI*440*t)|0.1*sin(2*PI*550*t)|0.1*sin(2*PI*660*t)|"
                                            + "0.1*sin(2*PI*60*t)|0.1*sin(2*PI*770*t)|0.1*sin(2*PI*880*t)", language: "eng")
        let title = folder.appendingPathComponent("title")
        let output = try runProcess(Fixtures.binary, ["transcode", source.path, "--out", title.path, "--preset", "preview",
                                                      "--audio", Fixtures.sample("audio-only.m4a").path + ":de"])
        try #require(output.status == 0, "\(output.stderr)")
        let master = try String(contentsOf: title.appendingPathComponent("master.m3u8"), encoding: .utf8)
        let lines = master.components(separatedBy: "\n")
        func attributes(_ line: String) -> [String: String] {
            Dictionary(line.matches(of: /([A-Z-]+)=("[^"]*"|[^,]*)/).map { (String($0.1), String($0.2).trimmingCharacters(in: CharacterSet(charactersIn: "\""))) },
                       uniquingKeysWith: { a, _ in a })
        }
        let media = lines.filter { $0.hasPrefix("#EXT-X-MEDIA:TYPE=AUDIO") }.map(attributes)
        let stereo = media.filter { $0["GROUP-ID"] == "aac" }, surround = media.filter { $0["GROUP-ID"] == "eac3" }
        #expect(stereo.count == 2 && surround.count == 2, "\(master)")
        #expect(stereo.map { [$0["LANGUAGE"], $0["NAME"], $0["DEFAULT"]] } == surround.map { [$0["LANGUAGE"], $0["NAME"], $0["DEFAULT"]] })
        #expect(stereo.allSatisfy { $0["CHANNELS"] == "2" } && surround.map { $0["CHANNELS"] } == ["6", "1"], "\(surround)")
        let variants = lines.filter { $0.hasPrefix("#EXT-X-STREAM-INF:") }.map(attributes)
        #expect(variants.map { $0["AUDIO"] } == ["aac", "eac3"], "the rung once per group, AAC first: \(master)")
        #expect(variants.allSatisfy { ($0["CODECS"] ?? "").hasSuffix($0["AUDIO"] == "aac" ? ",mp4a.40.2" : ",ec-3") }, "\(master)")
        let eac3 = try #require(surround.first?["URI"])
        let stream = try #require(try FFprobe.streams(title.appendingPathComponent(eac3), extra: ["-count_frames"]).first)
        #expect(stream.string("codec_name") == "eac3" && stream.number("channels") == 6 && stream.string("channel_layout") == "5.1(side)", "\(stream)")
        #expect(abs((stream.number("nb_read_frames") ?? 0) * 1536 / 48000 - 4) < 0.2, "four seconds of it: \(stream)")
        // The source's sound, not silence: each channel's tone (0.1 × sine: -23 dBFS RMS).
        let measured = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-i", title.appendingPathComponent(eac3).path, "-af", "astats=measure_overall=none:measure_perchannel=RMS_level", "-f", "null", "-"])
        let levels = measured.stderr.components(separatedBy: "\n").compactMap { line in
            line.range(of: "RMS level dB: ").flatMap { Double(line[$0.upperBound...].trimmingCharacters(in: .whitespaces)) }
        }
        #expect(levels.count == 6 && levels.allSatisfy { abs($0 - -23) < 2 }, "\(levels)")
        let mpd = try String(contentsOf: title.appendingPathComponent("manifest.mpd"), encoding: .utf8)
        #expect(mpd.contains(#"codecs="ec-3""#) && mpd.contains(#"codecs="mp4a.40.2""#), "\(mpd)")
        #expect(try FFprobe.streams(title.appendingPathComponent("manifest.mpd")).contains { $0.string("codec_name") == "eac3" })
        // Each group's timeline is its own segments' (E-AC-3 frames are 1536 samples, AAC's 1024).
        let checked = try runProcess(URL(fileURLWithPath: "/usr/bin/python3"), [
            DASHTests.readers.appendingPathComponent("check_mpd.py").path, title.appendingPathComponent("manifest.mpd").absoluteString,
            title.appendingPathComponent("master.m3u8").absoluteString])
        let report = try JSONSerialization.jsonObject(with: Data(checked.stdout.utf8)) as? [String: Any] ?? [:]
        #expect(checked.status == 0 && (report["problems"] as? [String])?.isEmpty == true, "\(report["problems"] ?? checked.stderr)")
        #expect((report["representations"] as? [String: Any])?.keys.sorted() == ["180p", "audio-de", "audio-de-eac3", "audio-en", "audio-en-eac3"])
        let played = try Players.gstreamer(title.appendingPathComponent(eac3).absoluteString)
        #expect(played.ended, "GStreamer plays the E-AC-3 rendition: \(played.output.suffix(2000))")
    }

    @Test func aSurroundSourcesCentreSurvivesTheStereoDownmixAtMinus3dBAndItsLFEIsDropped() throws {
        // ITU-R BS.775: L = FL + 0.707 C + 0.707 SL, R likewise; the LFE is not mixed in.
        let folder = try Fixtures.temporaryFolder("surround")
        let source = try surroundSource(in: folder, channels: "0|0|0.5*sin(2*PI*1000*t)*lt(t\\,2)|0.5*sin(2*PI*60*t)*gte(t\\,2)|0|0")
        let title = folder.appendingPathComponent("title")
        let output = try runProcess(Fixtures.binary, ["transcode", source.path, "--out", title.path, "--preset", "preview"])
        try #require(output.status == 0, "\(output.stderr)")
        let audio = try #require(FileManager.default.contentsOfDirectory(atPath: title.appendingPathComponent("audio").path)
            .first { !$0.hasSuffix("-eac3") })
        let folderPath = title.appendingPathComponent("audio/\(audio)")
        let segments = try FileManager.default.contentsOfDirectory(atPath: folderPath.path).filter { $0.hasSuffix(".m4s") }.sorted()
        var whole = try Data(contentsOf: folderPath.appendingPathComponent("init.mp4"))
        for segment in segments { whole += try Data(contentsOf: folderPath.appendingPathComponent(segment)) }
        let stereo = folder.appendingPathComponent("stereo.mp4")
        try whole.write(to: stereo)
        func levels(from start: Double, to end: Double) throws -> [Double] {
            let measured = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
                "-i", stereo.path, "-af", "atrim=\(start):\(end),astats=measure_overall=none:measure_perchannel=RMS_level", "-f", "null", "-"])
            return measured.stderr.components(separatedBy: "\n").compactMap { line in
                line.range(of: "RMS level dB: ").flatMap { Double(line[$0.upperBound...].trimmingCharacters(in: .whitespaces)) }
            }
        }
        // The centre's tone is at -9.03 dBFS (RMS of a 0.5 sine): -3 dB lower in each stereo channel.
        let centre = try levels(from: 0.5, to: 1.5)
        #expect(centre.count == 2 && centre.allSatisfy { abs($0 - -12.04) < 0.5 }, "\(centre)")
        let lfe = try levels(from: 2.5, to: 3.5)
        #expect(lfe.count == 2 && lfe.allSatisfy { $0 < -60 }, "the LFE is dropped: \(lfe)")
    }

    @Test func mpegTSPresetWritesTransportStreamSegments() throws {
        let (folder, _) = try transcode("phone-portrait-vfr.mp4", "--preset", "broadcast-ts",
                                        "--subtitle", Fixtures.sample("testcard-720p30.en.srt").path)
        let playlist = try String(contentsOf: folder.appendingPathComponent("360p/index.m3u8"), encoding: .utf8)
        #expect(playlist.contains("seg_00001.ts") && !playlist.contains("EXT-X-MAP"))
        let master = try String(contentsOf: folder.appendingPathComponent("master.m3u8"), encoding: .utf8)
        #expect(master.contains("#EXT-X-VERSION:4") && master.contains(#"#EXT-X-I-FRAME-STREAM-INF:"#))
        // Transport stream segments are not CMAF: no DASH manifest (SPEC §14).
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("manifest.mpd").path))
        // Each I-frame entry (PAT, PMT and the keyframe's PES) decodes alone to one I frame.
        let iFrames = try String(contentsOf: folder.appendingPathComponent("360p/iframes.m3u8"), encoding: .utf8)
        #expect(iFrames.contains("#EXT-X-I-FRAMES-ONLY") && !iFrames.contains("EXT-X-MAP"))
        let lines = iFrames.split(separator: "\n")
        for (index, line) in lines.enumerated() where line.hasPrefix("#EXT-X-BYTERANGE:") {
            let parts = line.dropFirst("#EXT-X-BYTERANGE:".count).split(separator: "@").compactMap { Int($0) }
            let segment = try Data(contentsOf: folder.appendingPathComponent("360p/\(lines[index + 1])"))
            let entry = try Fixtures.temporaryFolder("iframe").appendingPathComponent("entry.ts")
            try segment[parts[1]..<parts[1] + parts[0]].write(to: entry)
            let frames = try FFprobe.frames(entry, entries: "frame=pict_type,key_frame")
            #expect(frames.count == 1 && frames.first?.string("pict_type") == "I", "\(frames)")
        }
        #expect(try videoStream(folder.appendingPathComponent("master.m3u8")).string("codec_name") == "h264")
        // The subtitles' X-TIMESTAMP-MAP names the first picture's PTS on the transport stream's clock.
        let packets = try FFprobe.json(["-select_streams", "v", "-show_entries", "packet=pts",
                                        folder.appendingPathComponent("360p/seg_00001.ts").path])["packets"] as? [[String: Any]] ?? []
        let firstPicture = try #require(packets.compactMap { $0.number("pts") }.min())
        let cues = try String(contentsOf: folder.appendingPathComponent("subs/en/seg_00001.vtt"), encoding: .utf8)
        #expect(cues.contains("X-TIMESTAMP-MAP=MPEGTS:\(Int(firstPicture)),LOCAL:00:00:00.000"), "\(cues)")
    }

    @Test func aDubOnASilentVideoBecomesItsDefaultAudio() throws {
        let (folder, result) = try transcode("hdr10-pq-10bit.mp4", "--audio", Fixtures.sample("audio-only.m4a").path + ":ita")
        let audio = result["audio"] as? [[String: Any]] ?? []
        #expect(audio.map { $0["language"] as? String } == ["it"] && audio.first?["isDefault"] as? Bool == true)
        let master = try String(contentsOf: folder.appendingPathComponent("master.m3u8"), encoding: .utf8)
        #expect(master.contains(#"LANGUAGE="it",NAME="Italiano",DEFAULT=YES"#))
        // The 4 s dub is cut where the 2 s picture ends.
        let video = try #require(result["duration"] as? Double)
        let dub = try FFprobe.json(["-show_entries", "format=duration", folder.appendingPathComponent("audio/it/index.m3u8").path])
        let seconds = try #require((dub["format"] as? [String: Any])?.number("duration"))
        #expect(abs(seconds - video) < 0.05, "dub lasts \(seconds) s, video \(video) s")
    }
}

/// The output folder appears whole or not at all.
@Suite(.serialized) struct StagedOutputTests {
    func start(_ out: URL) throws -> Process {
        let process = Process()
        process.executableURL = Fixtures.binary
        process.arguments = ["transcode", Fixtures.sample("testcard-720p30.mp4").path, "--out", out.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    func staging(beside out: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: out.deletingLastPathComponent().path)
            .filter { $0.contains(".partial-") || $0.contains(".work-") }
    }

    /// Waits until the run has started writing segments in its hidden scratch folder.
    func waitForStaging(beside out: URL, of process: Process) throws {
        for _ in 0..<400 where process.isRunning {
            if let name = try staging(beside: out).first(where: { $0.contains(".work-") }),
               FileManager.default.fileExists(atPath: out.deletingLastPathComponent().appendingPathComponent("\(name)/chunk-0/720p").path) { return }
            usleep(10_000)
        }
    }

    @Test func outputAppearsOnlyWhenComplete() throws {
        let out = try Fixtures.temporaryFolder("staged").appendingPathComponent("title")
        let process = try start(out)
        try waitForStaging(beside: out, of: process)
        #expect(process.isRunning)
        #expect(!FileManager.default.fileExists(atPath: out.path), "the output is visible before it is complete")
        #expect(process.waitForExit(timeout: 120))
        #expect(process.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("master.m3u8").path))
        #expect(try staging(beside: out).isEmpty)
    }

    @Test func interruptLeavesNothingBehind() throws {
        let out = try Fixtures.temporaryFolder("staged").appendingPathComponent("title")
        let process = try start(out)
        try waitForStaging(beside: out, of: process)
        process.interrupt()
        #expect(process.waitForExit(timeout: 120))
        #expect(process.terminationStatus == 1)
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try staging(beside: out).isEmpty)
    }

    @Test func killedRunLeavesNoOutputAndTheNextRunCleansUp() throws {
        let out = try Fixtures.temporaryFolder("staged").appendingPathComponent("title")
        let process = try start(out)
        try waitForStaging(beside: out, of: process)
        kill(process.processIdentifier, SIGKILL)
        #expect(process.waitForExit(timeout: 120))
        #expect(!FileManager.default.fileExists(atPath: out.path))
        #expect(try staging(beside: out).count == 2)  // the title's staging folder and the run's scratch folder
        let again = try start(out)
        #expect(again.waitForExit(timeout: 120))
        #expect(again.terminationStatus == 0)
        #expect(try staging(beside: out).isEmpty)
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("master.m3u8").path))
    }
}
