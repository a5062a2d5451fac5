import Foundation
import Testing
import TestSupport

/// DASH beside HLS (SPEC §14) on a title the daemon published (one rung, two audio
/// languages, two subtitle tracks): the MPD as served, read by an independent reader
/// against the segment files and the HLS playlists, and played by ffmpeg's DASH demuxer,
/// GStreamer's dashdemux and Video.js from another origin.
@Suite(.serialized) struct DASHTests {
    let daemon: Daemon
    let id: String

    init() throws {
        daemon = try Daemon()
        id = try PlaybackTests.publishTestPattern(on: daemon)
    }

    var base: String { "http://127.0.0.1:\(daemon.port)/hls/\(id)" }
    var mpd: String { "/hls/\(id)/manifest.mpd" }
    static let readers = Fixtures.repository.appendingPathComponent("Tests/EndToEndTests/Readers")

    @Test func theMPDIsServedWithThePlaylistsDeliveryRulesAndListedInTheDocument() throws {
        let answer = try daemon.get(mpd)
        #expect(answer.status == 200 && answer.headers["content-type"] == "application/dash+xml", "\(answer.headers)")
        #expect(answer.headers["access-control-allow-origin"] == "*")
        let eTag = try #require(answer.headers["etag"])
        usleep(2_100_000)  // the server remembers a title's status for 2 s: it is ready now
        #expect(try daemon.get(mpd).headers["cache-control"] == "public, max-age=10")
        #expect(try daemon.get(mpd, headers: ["If-None-Match": eTag]).status == 304)
        let zipped = try daemon.get(mpd, headers: ["Accept-Encoding": "gzip"])
        #expect(zipped.headers["content-encoding"] == "gzip" && zipped.headers["content-type"] == "application/dash+xml")
        let text = String(decoding: answer.body, as: UTF8.self)
        #expect(text.hasPrefix("<?xml") && text.contains(#"type="static""#), "\(text)")
        #expect(try daemon.json("/api/media/\(id)")["dash"] as? String == mpd)
        #expect(try daemon.get("/hls/\(id)/manifest.mpd/x").status == 404)
    }

    /// Every URL the MPD implies is fetched: the init timescale is `@timescale`, each
    /// segment's `S@t` is its earliest presentation time (`tfdt` plus the first sample's
    /// composition offset) and `S@d` the sum of its sample durations, and each is the very
    /// file the HLS playlist lists under that number.
    @Test func theTimelineAndEveryURLMatchTheSegmentsAndTheHLSRenditions() throws {
        let output = try runProcess(URL(fileURLWithPath: "/usr/bin/python3"), [
            Self.readers.appendingPathComponent("check_mpd.py").path, "\(base)/manifest.mpd", "\(base)/master.m3u8"])
        try #require(output.status == 0, "\(output.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        #expect((report["problems"] as? [String])?.isEmpty == true, "\(report["problems"] ?? "")")
        #expect(report["type"] as? String == "static" && report["profiles"] as? String == "urn:mpeg:dash:profile:isoff-live:2011")
        #expect(report["mediaPresentationDuration"] as? String == "PT6S")
        let representations = try #require(report["representations"] as? [String: [String: Any]])
        #expect(Set(representations.keys) == ["360p", "audio-en", "audio-fr", "subs-en", "subs-es"], "\(representations.keys)")
        #expect(representations["360p"]?["segments"] as? Int == 3 && representations["audio-fr"]?["segments"] as? Int == 3)
        #expect(representations["audio-fr"]?["lang"] as? String == "fr" && representations["subs-es"]?["lang"] as? String == "es")
        #expect((representations["360p"]?["codecs"] as? String)?.hasPrefix("avc1.") == true)
    }

    /// ffmpeg's DASH demuxer decodes each representation (one at a time: it ends every
    /// stream once any one ends, and a whole-file subtitle track ends at its last cue) to
    /// as many frames as the HLS rendition of the same files.
    @Test func ffmpegsDASHDemuxerDecodesEveryRepresentationWithTheHLSFrameCount() throws {
        func frames(_ url: String, stream: String) throws -> Int {
            let streams = try FFprobe.json(["-select_streams", stream, "-count_frames", "-show_entries", "stream=nb_read_frames", url])
            return Int((streams["streams"] as? [[String: Any]])?.first?["nb_read_frames"] as? String ?? "") ?? -1
        }
        #expect(try frames("\(base)/manifest.mpd", stream: "v:0") == 180)
        #expect(try frames("\(base)/360p/index.m3u8", stream: "v:0") == 180)
        for (index, language) in ["en", "fr"].enumerated() {
            let hls = try frames("\(base)/audio/\(language)/index.m3u8", stream: "a:0")
            let dash = try frames("\(base)/manifest.mpd", stream: "a:\(index)")
            #expect(hls > 250 && dash == hls, "\(language)")
        }
        #expect(try frames("\(base)/manifest.mpd", stream: "s:1") == 3)  // the Spanish sidecar's cues
    }

    @Test func gstreamersDashdemuxPlaysTheMPDToTheEnd() throws {
        let played = try Players.gstreamer("\(base)/manifest.mpd")
        #expect(played.ended, "\(played.output)")
    }

    /// Video.js (VHS over MSE, from another origin) plays the MPD, offers both audio
    /// languages (French, the default, first) and both subtitle tracks, and plays on after
    /// a switch to English.
    @Test func videoJSPlaysTheMPDFromAnotherOriginAndSwitchesAudioLanguage() throws {
        let report = try Players.report("play_videojs.py", "\(base)/manifest.mpd", try Players.videoJS.get().path, "5", environment: ["SWITCH_AUDIO=en"])
        #expect(report["error"] is NSNull && report["playError"] is NSNull, "\(report)")
        #expect((report["time"] as? Double ?? 0) >= 5 && report["switchedAt"] is Double, "\(report)")
        #expect(report["width"] as? Int == 640 && report["height"] as? Int == 360, "\(report)")
        let audio = report["audioTracks"] as? [[String: Any]] ?? []
        #expect(Set(audio.compactMap { $0["language"] as? String }) == ["en", "fr"], "\(report)")
        #expect(report["audioAtStart"] as? String == "fr", "\(report)")
        #expect(audio.first { $0["enabled"] as? Bool == true }?["language"] as? String == "en", "\(report)")
        let text = report["textTracks"] as? [[String: Any]] ?? []
        #expect(Set(text.compactMap { $0["language"] as? String }) == ["en", "es"], "\(report)")
    }
}
