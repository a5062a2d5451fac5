import TestSupport
import Foundation
import LibAV
@testable import Packager
import Testing

@Suite struct KeyframeGridTests {
    @Test func integerRateKeyframesEveryTwoSeconds() {
        let grid = KeyframeGrid(interval: 2, frameRate: Rational(30, 1))
        let keyframes = (0..<300).filter(grid.isKeyframe)
        #expect(keyframes == [0, 60, 120, 180, 240])
        #expect(grid.maximumGap == 60)
    }

    @Test func ntscRateKeyframesAreFirstFramesAtOrAfterEachMultiple() {
        let grid = KeyframeGrid(interval: 2, frameRate: Rational(30000, 1001))
        let keyframes = (0..<1200).filter(grid.isKeyframe)
        for (k, index) in keyframes.enumerated() {
            let time = Double(index) * 1001 / 30000
            #expect(time >= Double(k) * 2 - 1e-9)
            #expect(time - Double(k) * 2 < 1001.0 / 30000)
        }
        #expect(grid.maximumGap == 60)
    }
}

@Suite struct PresetTests {
    let library = PresetLibrary(folders: [Fixtures.presetsFolder])

    @Test func defaultPresetIsTheSpecLadder() throws {
        let preset = try library.load("default")
        #expect(preset.segmentDuration == 6 && preset.keyframeInterval == 2 && preset.segmentFormat == .fmp4)
        #expect(preset.rungs.map(\.height) == [480, 720, 1080, 1440, 2160])
        #expect(preset.rungs[2].maxrate == 5_350_000 && preset.rungs[2].bufsize == 10_700_000)
        #expect(preset.audio == Preset.AudioSettings(codec: "aac", bitrate: 128_000, channels: 2, sampleRate: 48_000))
    }

    @Test func missingKeysTakeTheDefaults() throws {
        let preset = try library.load("broadcast-ts")
        #expect(preset.segmentFormat == .mpegts)
        #expect(preset.rungs.count == 5 && preset.audio.bitrate == 128_000)
        #expect(preset.video.encoderPreset == "faster")
    }

    @Test func unknownKeysAreAnErrorNamingThem() throws {
        let folder = try Fixtures.temporaryFolder("preset")
        let file = folder.appendingPathComponent("typo.json")
        try Data(#"{"segmentDuraton": 4, "video": {"crf": 20}}"#.utf8).write(to: file)
        #expect {
            try library.load(file.path)
        } throws: { error in
            let text = String(describing: error)
            return text.contains("segmentDuraton") && text.contains("video.crf") && text.contains("typo.json")
        }
    }

    @Test func segmentDurationMustBeAMultipleOfTheKeyframeInterval() throws {
        let folder = try Fixtures.temporaryFolder("preset")
        let file = folder.appendingPathComponent("odd.json")
        try Data(#"{"segmentDuration": 5, "keyframeInterval": 2}"#.utf8).write(to: file)
        #expect(throws: PresetError.self) { try library.load(file.path) }
    }

    @Test func anHDRRungIsHEVCAndAPresetKeepsAnSDRLadder() throws {
        let folder = try Fixtures.temporaryFolder("preset")
        let av1 = folder.appendingPathComponent("av1-hdr.json")
        try Data(#"{"rungs": [{"name": "360p", "height": 360, "bitrate": 300000, "maxrate": 400000, "bufsize": 800000}, {"name": "360p-hdr", "height": 360, "bitrate": 300000, "maxrate": 400000, "bufsize": 800000, "codec": "av1", "dynamicRange": "hdr"}]}"#.utf8)
            .write(to: av1)
        #expect { try library.load(av1.path) } throws: { "\($0)".contains("rung 360p-hdr: an HDR rung is HEVC") }
        let onlyHDR = folder.appendingPathComponent("only-hdr.json")
        try Data(#"{"rungs": [{"name": "360p-hdr", "height": 360, "bitrate": 300000, "maxrate": 400000, "bufsize": 800000, "codec": "hevc", "dynamicRange": "hdr"}]}"#.utf8)
            .write(to: onlyHDR)
        #expect { try library.load(onlyHDR.path) } throws: { "\($0)".contains("no SDR rung") }
        let range = folder.appendingPathComponent("range.json")
        try Data(#"{"rungs": [{"name": "360p", "height": 360, "bitrate": 300000, "maxrate": 400000, "bufsize": 800000, "dynamicRange": "dolby"}]}"#.utf8)
            .write(to: range)
        #expect { try library.load(range.path) } throws: { "\($0)".contains("rungs.0.dynamicRange") || "\($0)".contains("dynamicRange") }
        let tv = try library.load("tv")
        #expect(tv.rungs.filter(\.isHDR).map(\.name) == ["1080p-hdr", "2160p-hdr"] && tv.rungs.filter { $0.codec == .hevc }.count == 4)
    }

    @Test func x265IsGivenTheSourcesMasteringDisplayAndLightLevelsForHDR10() {
        let display = HDRMetadata.MasteringDisplay(red: [0.68, 0.32], green: [0.265, 0.69], blue: [0.15, 0.06],
                                                   whitePoint: [0.3127, 0.329], minLuminance: 0.005, maxLuminance: 1000)
        let pq = HDRFormat(transfer: .pq, metadata: HDRMetadata(masteringDisplay: display, contentLight: .init(maxCLL: 1000, maxFALL: 400)))
        #expect(pq.x265Parameters == ["hdr10=1", "hdr10-opt=1",
                                      "master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,50)", "max-cll=1000,400"])
        #expect(HDRFormat(transfer: .pq).x265Parameters == ["hdr10=1", "hdr10-opt=1"])
        #expect(HDRFormat(transfer: .hlg).x265Parameters.isEmpty)
    }

    @Test func anHDRSourceIsKeptOnlyWhenItsTransferIsKnownAndItsPrimariesAgree() throws {
        let source = try MediaSource(path: Fixtures.sample("hdr10-pq-10bit.mp4").path)
        var stream = try #require(source.video)
        let pq = HDRFormat.assess(stream)
        #expect(pq.format?.transfer == .pq && pq.notes.contains { $0.contains("no mastering-display metadata") }, "\(pq)")
        stream.colorPrimaries = "bt709"
        let contradictory = HDRFormat.assess(stream)
        #expect(contradictory.format == nil && contradictory.notes.contains { $0.contains("contradictory") }, "\(contradictory)")
        stream.colorPrimaries = "bt2020"
        stream.colorTransfer = "arib-std-b67"
        #expect(HDRFormat.assess(stream).format == HDRFormat(transfer: .hlg))
        stream.colorTransfer = "bt709"
        #expect(HDRFormat.assess(stream).format == nil)
        stream.colorTransfer = "smpte2084"
        stream.dolbyVision = DolbyVision(profile: 8, baseLayerCompatibility: 1)
        #expect(HDRFormat.assess(stream).notes.contains("Dolby Vision profile 8: its HDR10 base layer is kept, the Dolby Vision layer (RPU) is not"))
    }

    @Test func aCodecIsOneWeEncodeAndAV1IsCarriedInFMP4Only() throws {
        let folder = try Fixtures.temporaryFolder("preset")
        let unknown = folder.appendingPathComponent("vp9.json")
        try Data(#"{"video": {"codec": "vp9"}}"#.utf8).write(to: unknown)
        #expect { try library.load(unknown.path) } throws: { "\($0)".contains("bad value at video.codec") }
        let transport = folder.appendingPathComponent("av1-ts.json")
        try Data(#"{"segmentFormat": "mpegts", "rungs": [{"name": "360p", "height": 360, "bitrate": 300000, "maxrate": 400000, "bufsize": 800000, "codec": "av1"}]}"#.utf8)
            .write(to: transport)
        #expect { try library.load(transport.path) } throws: { "\($0)".hasSuffix("rung 360p: AV1 is carried in fMP4 segments only (segmentFormat fmp4)") }
        let file = folder.appendingPathComponent("av1.json")
        try Data(#"{"video": {"codec": "av1"}}"#.utf8).write(to: file)
        let av1 = try library.load(file.path)
        #expect(av1.video.codec == .av1 && LadderPlan(source: DisplayGeometry(width: 1280, height: 720), preset: av1).rungs.allSatisfy { $0.codec == .av1 && $0.profile == "main" })
    }
}

@Suite struct BitrateMeasurementTests {
    @Test func peakIsTheBusiestRunOfHalfToOneAndAHalfTargets() {
        // Target 6 s: a 1 s tail is too short alone but counts with its neighbour.
        let measured = BitrateMeasurement.measure(durations: [6, 6, 1], sizes: [600_000, 900_000, 400_000], target: 6)
        #expect(measured.peak == Int((Double(1_300_000 * 8) / 7).rounded(.up)))
        #expect(measured.average == Int((Double(1_900_000 * 8) / 13).rounded(.up)))
    }
}

@Suite struct CodecStringTests {
    @Test func h264FromAnnexBParameterSets() {
        let extradata: [UInt8] = [0, 0, 0, 1, 0x67, 0x64, 0x00, 0x28, 0xAC, 0, 0, 0, 1, 0x68, 0xEE]
        #expect(CodecString.h264(extradata: extradata) == "avc1.640028")
    }

    @Test func h264FromAvcC() {
        #expect(CodecString.h264(extradata: [1, 0x4D, 0x40, 0x1E, 0xFF]) == "avc1.4d401e")
    }

    @Test func aacLowComplexity() {
        #expect(CodecString.aac(profile: 1) == "mp4a.40.2")
    }
}

@Suite struct LanguageTests {
    @Test func isoCodesBecomeBCP47WithNames() {
        #expect(Language(code: "eng")?.tag == "en")
        #expect(Language(code: "fre")?.tag == "fr" && Language(code: "fra")?.tag == "fr")
        #expect(Language(code: "ger")?.name == "Deutsch")
        #expect(Language(code: "pt_br")?.tag == "pt-BR")
        #expect(Language(code: "xx") == nil && Language(code: "english") == nil)
        #expect(Language(streamTag: nil) == .undetermined)
    }
}

@Suite struct PlaylistTests {
    @Test func mediaPlaylistRoundTrips() throws {
        let text = """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-TARGETDURATION:6
        #EXT-X-PLAYLIST-TYPE:VOD
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-START:TIME-OFFSET=0
        #EXT-X-MAP:URI="init.mp4"
        #EXTINF:6.000000,
        seg_00001.m4s
        #EXTINF:2.500000,
        seg_00002.m4s
        #EXT-X-ENDLIST

        """
        let playlist = try #require(MediaPlaylist(text: text))
        #expect(playlist.segments.map(\.duration) == [6, 2.5] && playlist.initSegment == "init.mp4")
        #expect(playlist.render() == text)
    }

    @Test func masterPlaylistOrdersVariantsByBandwidth() {
        let master = MasterPlaylist(version: 7, renditions: [], variants: [
            .init(bandwidth: 3_000_000, averageBandwidth: 2_000_000, codecs: ["avc1.64001f"], resolution: (1280, 720),
                  frameRate: 30, audioGroup: nil, subtitlesGroup: nil, uri: "720p/index.m3u8"),
            .init(bandwidth: 1_000_000, averageBandwidth: 900_000, codecs: ["avc1.4d401e"], resolution: (854, 480),
                  frameRate: 30, audioGroup: nil, subtitlesGroup: nil, uri: "480p/index.m3u8"),
        ])
        let lines = master.render().split(separator: "\n")
        #expect(lines.firstIndex(of: "480p/index.m3u8")! < lines.firstIndex(of: "720p/index.m3u8")!)
        #expect(lines.contains("#EXT-X-INDEPENDENT-SEGMENTS"))
    }

    /// H.264 first, then HEVC SDR before HDR whatever the bandwidths, `VIDEO-RANGE` on each.
    @Test func hdrVariantsComeAfterTheSDROnesOfTheirCodec() {
        func variant(_ codec: String, _ bandwidth: Int, _ range: MasterPlaylist.VideoRange, _ uri: String) -> MasterPlaylist.Variant {
            .init(bandwidth: bandwidth, averageBandwidth: bandwidth, codecs: [codec], resolution: (1920, 1080), frameRate: 30,
                  videoRange: range, audioGroup: nil, subtitlesGroup: nil, uri: uri)
        }
        let master = MasterPlaylist(version: 7, renditions: [], variants: [
            variant("hvc1.2.4.L120.90", 3_000_000, .pq, "hdr"), variant("hvc1.1.6.L120.90", 4_000_000, .sdr, "hevc"),
            variant("avc1.640028", 6_000_000, .sdr, "h264"),
        ], iFrameVariants: [.init(bandwidth: 100, averageBandwidth: 90, codecs: "hvc1.2.4.L120.90", width: 1920, height: 1080, videoRange: .pq, uri: "hdr/i.m3u8")])
        let text = master.render()
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.filter { !$0.hasPrefix("#") } == ["h264", "hevc", "hdr"], "\(text)")
        #expect(lines.contains { $0.hasPrefix("#EXT-X-STREAM-INF:") && $0.contains("VIDEO-RANGE=PQ") && $0.contains("hvc1.2.4") })
        #expect(lines.filter { $0.hasPrefix("#EXT-X-STREAM-INF:") }.allSatisfy { $0.contains("VIDEO-RANGE=") })
        #expect(lines.contains { $0.hasPrefix("#EXT-X-I-FRAME-STREAM-INF:") && $0.contains("VIDEO-RANGE=PQ,URI=") })
    }
}
