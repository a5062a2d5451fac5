import Foundation
import LibAV
@testable import Packager
import Testing
import TestSupport

/// CEA-608 captions carried in the video's SEI (SPEC §16): `captions-cc1.mp4` holds pop-on
/// and roll-up captions on CC1 (`samples/make-captions.py`, from `captions.scc`). They stay
/// in every rung, the master lists them, and they become a WebVTT rendition in sync —
/// checked against FFmpeg's own caption decoder (`movie=…[out0+subcc]`) as the reference.
@Suite struct ClosedCaptionTests {
    static let title = Result {
        try TranscodedTitle.make(sample: "captions-cc1.mp4", presetJSON: #"{"name": "test", "segmentDuration": 2, "keyframeInterval": 1}"#)
    }

    /// Half a frame at 29.97 fps: the references agree to the frame.
    static let tolerance = 0.017

    /// The captions FFmpeg decodes from the video of `file`, as cues.
    static func reference(_ file: URL) throws -> [SubtitleCue] {
        let output = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-f", "lavfi", "-i", "movie=\(file.path)[out0+subcc]", "-map", "0:1", "-f", "webvtt", "-"])
        #expect(output.status == 0, "\(output.stderr)")
        return WebVTTReader.read(output.stdout).cues
    }

    @Test func everyRungKeepsTheCaptionsAndTheMasterListsThem() throws {
        let title = try Self.title.get()
        let master = try String(contentsOf: title.url("master.m3u8"), encoding: .utf8)
        #expect(master.contains(#"#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",LANGUAGE="en",NAME="English",DEFAULT=NO,AUTOSELECT=YES,INSTREAM-ID="CC1""#), "\(master)")
        let variants = master.components(separatedBy: "\n").filter { $0.hasPrefix("#EXT-X-STREAM-INF:") }
        #expect(!variants.isEmpty && variants.allSatisfy { $0.contains(#"CLOSED-CAPTIONS="cc""#) })
        let mpd = try String(contentsOf: title.url("manifest.mpd"), encoding: .utf8)
        #expect(mpd.contains(#"<Accessibility schemeIdUri="urn:scte:dash:cc:cea-608:2015" value="CC1=eng"/>"#), "\(mpd)")
        let source = try Self.reference(Fixtures.sample("captions-cc1.mp4"))
        #expect(source.count == 4)
        for rung in title.result.video {
            let playlist = try title.mediaPlaylist(rung.playlist)
            let folder = String(rung.playlist.split(separator: "/").first ?? "")
            var whole = try Data(contentsOf: title.url("\(folder)/\(try #require(playlist.initSegment))"))
            for segment in playlist.segments { whole += try Data(contentsOf: title.url("\(folder)/\(segment.uri)")) }
            let file = try Fixtures.temporaryFolder("cc").appendingPathComponent("\(rung.name).mp4")
            try whole.write(to: file)
            let probe = try runProcess(FFprobe.executable, ["-hide_banner", file.path])
            #expect(probe.stderr.contains("Video: h264") && probe.stderr.contains("Closed Captions"), "\(rung.name): \(probe.stderr)")
            let kept = try Self.reference(file)
            #expect(kept.map(\.text) == source.map(\.text))
            for (ours, theirs) in zip(kept, source) {
                #expect(abs(ours.start - theirs.start) <= Self.tolerance && abs(ours.end - theirs.end) <= Self.tolerance,
                        "\(rung.name): \(ours) against \(theirs)")
            }
        }
    }

    @Test func theCaptionsBecomeAWebVTTRenditionInSync() throws {
        let title = try Self.title.get()
        let rendition = try #require(title.result.subtitles.first)
        #expect(rendition.language == "en" && rendition.name == "English (CC)" && rendition.playlist == "subs/cc1/index.m3u8")
        let cues = WebVTTReader.read(try String(contentsOf: title.url("subs/cc1.vtt"), encoding: .utf8)).cues
        let reference = try Self.reference(Fixtures.sample("captions-cc1.mp4"))
        #expect(cues.map(\.text) == ["HELLO FROM CC1", "TWO ROWS,\nONE CAPTION", "ROLL UP ONE", "ROLL UP ONE\nROLL UP TWO"])
        #expect(cues.map(\.text) == reference.map { $0.text.split(separator: "\n").map { $0.trimmingWhitespace }.joined(separator: "\n") })
        for (index, (ours, theirs)) in zip(cues, reference).enumerated() {
            // FFmpeg starts a roll-up line at the erase before it; we start it when its letters appear.
            if index != 2 { #expect(abs(ours.start - theirs.start) <= Self.tolerance, "\(ours) against \(theirs)") }
            #expect(abs(ours.end - theirs.end) <= Self.tolerance, "\(ours) against \(theirs)")
        }
        // The first pop-on caption shows at its EOC, frame 28 (0.934 s), as the source's SCC says.
        #expect(abs((cues.first?.start ?? 0) - 28 * 1001 / 30000.0) < 0.002)
    }

    @Test func theSCCFileReadsAsTheCaptionsMadeFromIt() throws {
        // `captions-cc1.mp4` carries the words of `captions.scc`, one a frame from their timecodes.
        let scc = try SubtitleFile.read(at: Fixtures.sample("captions.scc").path)
        #expect(scc.encoding == .utf8 && scc.reading.dropped.isEmpty)
        let title = try Self.title.get()
        let video = WebVTTReader.read(try String(contentsOf: title.url("subs/cc1.vtt"), encoding: .utf8)).cues
        #expect(scc.reading.cues.map(\.text) == video.map(\.text))
        for (file, extracted) in zip(scc.reading.cues, video) {
            #expect(abs(file.start - extracted.start) < 0.002 && abs(file.end - extracted.end) < 0.002, "\(file) against \(extracted)")
        }
    }

    @Test func anMPEG2BroadcastWithBFramesKeepsItsCaptionsInOrder() throws {
        // MPEG-2 video in MPEG-TS, its pictures reordered: the captions ride in picture user data.
        let broadcast = try Fixtures.temporaryFolder("mpeg2").appendingPathComponent("broadcast.ts")
        let made = try runProcess(URL(fileURLWithPath: "/usr/bin/ffmpeg"), [
            "-v", "error", "-i", Fixtures.sample("captions-cc1.mp4").path, "-c:v", "mpeg2video", "-bf", "2", "-b:v", "2M",
            "-c:a", "mp2", broadcast.path])
        #expect(made.status == 0, "\(made.stderr)")
        let title = try TranscodedTitle.make(source: broadcast, presetJSON: #"{"name": "test", "segmentDuration": 2, "keyframeInterval": 1}"#)
        #expect(try String(contentsOf: title.url("master.m3u8"), encoding: .utf8).contains(#"INSTREAM-ID="CC1""#))
        let cues = WebVTTReader.read(try String(contentsOf: title.url("subs/cc1.vtt"), encoding: .utf8)).cues
        let reference = try Self.reference(Fixtures.sample("captions-cc1.mp4"))
        #expect(cues.map(\.text) == ["HELLO FROM CC1", "TWO ROWS,\nONE CAPTION", "ROLL UP ONE", "ROLL UP ONE\nROLL UP TWO"])
        #expect(abs((cues.first?.start ?? 0) - (reference.first?.start ?? 1)) <= Self.tolerance)
        #expect(abs((cues.last?.end ?? 0) - (reference.last?.end ?? 1)) <= Self.tolerance)
    }

    @Test func captionPairsAreReadFromSEIInEitherFraming() throws {
        // An H.264 SEI NAL unit: another T.35 message (whose `00 00 01` needs an emulation
        // prevention byte), then "GA94" cc_data with a field-1 pair, a field-2 pair and an invalid one.
        let other: [UInt8] = [4, 4, 0xB5, 0x00, 0x00, 0x01]
        let ccData: [UInt8] = [0xB5, 0x00, 0x31, 0x47, 0x41, 0x39, 0x34, 0x03, 0x43, 0xFF,
                               0xFC, 0x94, 0x2C, 0xFD, 0x15, 0x2C, 0xF8, 0x00, 0x00, 0xFF]
        var sei: [UInt8] = [0x06]
        for byte in other + [4, UInt8(ccData.count)] + ccData + [0x80] {
            if sei.suffix(2) == [0, 0], byte <= 3 { sei.append(3) }
            sei.append(byte)
        }
        #expect(sei[1...6] == [4, 4, 0xB5, 0x00, 0x00, 0x03])
        let slice: [UInt8] = [0x65, 0x88, 0x84, 0x00]
        let annexB = [0, 0, 0, 1] + sei + [0, 0, 1] + slice
        let prefixed = [0, 0, 0, UInt8(sei.count)] + sei + [0, 0, 0, UInt8(slice.count)] + slice
        let avcC: [UInt8] = [1, 0x64, 0, 0x1E, 0xFF, 0xE1]
        for (extradata, packet) in [([UInt8](), annexB), (avcC, prefixed)] {
            let reader = try #require(CaptionData(codec: "h264", extradata: extradata))
            let pairs = packet.withUnsafeBytes { reader.fieldOnePairs(in: $0) }
            #expect(pairs.map { [$0.0, $0.1] } == [[0x94, 0x2C]], "only the valid field-1 pair")
        }
        #expect(CaptionData(codec: "vp9", extradata: []) == nil)
    }
}
