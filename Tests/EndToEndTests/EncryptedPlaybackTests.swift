import Foundation
import Testing
import TestSupport

/// AES-128 titles (SPEC §12) on the real daemon with playback keys: what lies in `media/`
/// is ciphertext that openssl decrypts to the segments, the key is served only under a
/// token and is nowhere under the vault's folders or in the log. ffprobe and Chromium
/// through a page that decrypts with WebCrypto play the fMP4 title; the MPEG-TS one plays in
/// ffprobe, Video.js (from another origin), GStreamer and Chromium's native HLS, none of
/// which decrypts AES-128 fMP4 (docs/security.md).
@Suite(.serialized) struct EncryptedPlaybackTests {
    let daemon: Daemon
    let keys: ProtectedPlaybackTests.Keys

    init() throws {
        keys = try ProtectedPlaybackTests.Keys()
        daemon = try Daemon(extra: ["--playback-keys", keys.set.path])
    }

    /// Packages the multilingual test pattern on `daemon` with the preview preset (in
    /// `format`), made encrypting unless `encryption` says otherwise.
    static func publish(on daemon: Daemon, format: String, encryption: String = "aes-128") throws -> String {
        let preset = try self.preset(format: format, encryption: encryption)
        let submitted = try daemon.cli("submit", Fixtures.sample("multilang.mkv").path, "--preset", preset.path, "--wait", "--json")
        try #require(submitted.status == 0, "\(submitted.stderr)\n\(daemon.logText.suffix(3000))")
        let job = try #require(try JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8)) as? [String: Any])
        try #require(job["state"] as? String == "succeeded", "\(job)")
        return try #require(job["mediaId"] as? String)
    }

    /// A one-rung preview preset file in `format`, with `encryption`.
    static func preset(format: String = "fmp4", encryption: String = "aes-128") throws -> URL {
        let preset = try Fixtures.temporaryFolder("preset").appendingPathComponent("encrypted.json")
        try Data("""
            {"name": "encrypted-\(format)", "segmentDuration": 4, "keyframeInterval": 2, "segmentFormat": "\(format)",
             "encryption": "\(encryption)", "video": {"codec": "h264", "encoderPreset": "superfast"}, "audio": {"bitrate": 96000},
             "rungs": [{"name": "360p", "height": 360, "bitrate": 800000, "maxrate": 856000, "bufsize": 1712000}]}
            """.utf8).write(to: preset)
        return preset
    }

    /// `file` decrypted by openssl with `key` (hex) and `iv` (hex).
    static func decrypted(_ file: URL, key: String, iv: String) throws -> Data {
        let output = try runProcess(URL(fileURLWithPath: "/usr/bin/openssl"), ["enc", "-d", "-aes-128-cbc", "-K", key, "-iv", iv, "-in", file.path, "-out", file.path + ".clear"])
        try #require(output.status == 0, "\(output.stderr)")
        defer { try? FileManager.default.removeItem(atPath: file.path + ".clear") }
        return try Data(contentsOf: URL(fileURLWithPath: file.path + ".clear"))
    }

    static func boxType(_ data: Data) -> String { String(decoding: data.dropFirst(4).prefix(4), as: UTF8.self) }

    @Test func anFMP4TitleIsCiphertextOnDiskWithItsKeyBehindATokenAndPlays() throws {
        let id = try Self.publish(on: daemon, format: "fmp4")
        let token = try keys.token(id)
        let playlist = String(decoding: try daemon.get("/hls/\(id)/360p/index.m3u8?token=\(token)").body, as: UTF8.self)
        let keyURI = "/keys/\(id)?token=\(token)"
        #expect(playlist.contains(#"#EXT-X-KEY:METHOD=AES-128,URI="\#(keyURI)",IV=0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"#
            + "\n#EXT-X-MAP:URI=\"init.mp4?token=\(token)\"\n#EXT-X-KEY:METHOD=AES-128,URI=\"\(keyURI)\"\n"), "\(playlist)")
        let master = String(decoding: try daemon.get("/hls/\(id)/master.m3u8?token=\(token)").body, as: UTF8.self)
        #expect(!master.contains("I-FRAME"), "no trick play into segments encrypted whole: \(master)")
        #expect(try daemon.get("/hls/\(id)/manifest.mpd?token=\(token)").status == 404)
        #expect(try daemon.json("/api/media/\(id)")["dash"] == nil)

        // The key: only under a token for this title, never cached.
        #expect(try daemon.get("/keys/\(id)").status == 401)
        #expect(try daemon.get("/keys/\(id)?token=\(try keys.token("another"))").status == 403)
        let answer = try daemon.get(keyURI)
        #expect(answer.status == 200 && answer.body.count == 16 && answer.headers["cache-control"] == "private, no-store", "\(answer)")
        #expect(answer.headers["access-control-allow-origin"] == "*")
        let hex = answer.body.map { String(format: "%02x", $0) }.joined()

        // On disk: ciphertext, which openssl turns back into the init section and segments.
        let media = daemon.root.appendingPathComponent("media/\(id)")
        for folder in ["360p", "audio/en", "audio/fr"] {
            let initSection = media.appendingPathComponent("\(folder)/init.mp4"), first = media.appendingPathComponent("\(folder)/seg_00001.m4s")
            #expect(Self.boxType(try Data(contentsOf: initSection)) != "ftyp", "\(folder)")
            #expect(Self.boxType(try Self.decrypted(initSection, key: hex, iv: String(repeating: "f", count: 32))) == "ftyp", "\(folder)")
            #expect(!["moof", "styp"].contains(Self.boxType(try Data(contentsOf: first))), "\(folder)")
            #expect(["moof", "styp"].contains(Self.boxType(try Self.decrypted(first, key: hex, iv: String(repeating: "0", count: 32)))), "\(folder)")
            let third = media.appendingPathComponent("\(folder)/seg_00003.m4s")
            #expect(["moof", "styp"].contains(Self.boxType(try Self.decrypted(third, key: hex, iv: String(repeating: "0", count: 31) + "2"))))
        }
        // Decrypted, they are the bytes a clear run of the same title writes: the init sections
        // and the audio segments byte for byte. (x264's output differs from run to run here,
        // so a video segment is checked by decoding: as many frames as the clear one.)
        let clear = try Daemon()
        let clearID = try Self.publish(on: clear, format: "fmp4", encryption: "none")
        let clearMedia = clear.root.appendingPathComponent("media/\(clearID)")
        let initIV = String(repeating: "f", count: 32), secondIV = String(repeating: "0", count: 31) + "1"
        for file in ["360p/init.mp4", "audio/fr/init.mp4", "audio/fr/seg_00002.m4s", "audio/en/seg_00002.m4s"] {
            #expect(try Self.decrypted(media.appendingPathComponent(file), key: hex, iv: file.hasSuffix("init.mp4") ? initIV : secondIV)
                == Data(contentsOf: clearMedia.appendingPathComponent(file)), "\(file)")
        }
        func frames(_ initSection: Data, _ segment: Data) throws -> String? {
            let joined = try Fixtures.temporaryFolder("joined").appendingPathComponent("segment.mp4")
            try (initSection + segment).write(to: joined)
            let streams = try FFprobe.json(["-count_frames", "-show_streams", joined.path])["streams"] as? [[String: Any]]
            return streams?.first?.string("nb_read_frames")
        }
        let decryptedFrames = try frames(Self.decrypted(media.appendingPathComponent("360p/init.mp4"), key: hex, iv: initIV),
                                         Self.decrypted(media.appendingPathComponent("360p/seg_00002.m4s"), key: hex, iv: secondIV))
        let clearFrames = try frames(Data(contentsOf: clearMedia.appendingPathComponent("360p/init.mp4")),
                                     Data(contentsOf: clearMedia.appendingPathComponent("360p/seg_00002.m4s")))
        #expect(decryptedFrames != nil && decryptedFrames == clearFrames)
        // The key is in no file of the vault but the catalog, and not in the log: its bytes
        // searched as bytes (a grep pattern would stop at a zero byte of a random key).
        let files = FileManager.default.enumerator(at: daemon.root, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL }.filter { !$0.lastPathComponent.hasPrefix("catalog.sqlite") && !$0.hasDirectoryPath } ?? []
        let holding = try files.filter { file in
            let bytes = try Data(contentsOf: file)
            return bytes.range(of: answer.body) != nil || bytes.range(of: Data(hex.utf8)) != nil
        }
        #expect(files.count > 10 && holding.isEmpty, "the key was found in \(holding)")
        #expect(daemon.files(in: "work").isEmpty)

        let url = "http://127.0.0.1:\(daemon.port)/hls/\(id)/master.m3u8?token=\(token)"
        let streams = try FFprobe.json(["-count_frames", "-show_streams", url])["streams"] as? [[String: Any]] ?? []
        #expect(streams.first { $0.string("codec_type") == "video" }?.string("nb_read_frames") == "180", "\(streams)")
        #expect(streams.filter { $0.string("codec_type") == "audio" && Int($0.string("nb_read_frames") ?? "") ?? 0 > 250 }.count == 2, "\(streams)")

        // Chromium through a page that decrypts as hls.js and Safari do (WebCrypto, MSE), from another origin.
        let report = try Players.report("play_decrypting.py", url, "3")
        #expect(report["error"] is NSNull && report["mediaError"] is NSNull, "\(report)")
        #expect((report["time"] as? Double ?? 0) >= 3 && report["height"] as? Int == 360 && report["decrypted"] as? Int == 4, "the init section and three segments: \(report)")
    }

    @Test func anMPEGTSTitleIsEncryptedAndPlays() throws {
        let id = try Self.publish(on: daemon, format: "mpegts")
        let token = try keys.token(id)
        let playlist = String(decoding: try daemon.get("/hls/\(id)/360p/index.m3u8?token=\(token)").body, as: UTF8.self)
        #expect(playlist.contains("#EXT-X-KEY:METHOD=AES-128,URI=\"/keys/\(id)?token=\(token)\"\n#EXTINF"), "\(playlist)")
        let segment = try Data(contentsOf: daemon.root.appendingPathComponent("media/\(id)/360p/seg_00001.ts"))
        #expect(segment.first != 0x47, "a transport stream starts with its sync byte; ciphertext does not")
        let url = "http://127.0.0.1:\(daemon.port)/hls/\(id)/master.m3u8?token=\(token)"
        let streams = try FFprobe.json(["-count_frames", "-show_streams", url])["streams"] as? [[String: Any]] ?? []
        #expect(streams.first { $0.string("codec_type") == "video" }?.string("nb_read_frames") == "180", "\(streams)")
        let report = try Players.report("play_videojs.py", url, try Players.videoJS.get().path, "4")
        #expect(report["error"] is NSNull && report["playError"] is NSNull, "\(report)")
        #expect((report["time"] as? Double ?? 0) >= 4 && report["height"] as? Int == 360, "\(report)")
        let played = try Players.gstreamer(url)
        #expect(played.ended, "\(played.output)")
        let native = try Players.report("play_watch_page.py", "http://127.0.0.1:\(daemon.port)/watch/\(id)?token=\(token)", "3")
        #expect(native["error"] is NSNull && native["playError"] is NSNull, "\(native)")
        #expect((native["time"] as? Double ?? 0) >= 3 && native["height"] as? Int == 360, "\(native)")
    }
}
