import Foundation
import Testing
import TestSupport

/// Protected playback (SPEC §12) on the real daemon: keys made by `streamvault keygen`,
/// tokens signed by `streamvault token` and by PyJWT (an independent signer, as a platform
/// would sign them), and real players that cannot add a header — ffprobe, GStreamer,
/// Chromium's native HLS on the watch page, Video.js from another origin — playing only
/// because every playlist carries the token on.
@Suite(.serialized) struct ProtectedPlaybackTests {
    let daemon: Daemon
    let id: String
    let signingKey: URL
    let keySet: URL

    /// An ES256 key made by `streamvault keygen` (kid `k1`) in a folder outside any vault.
    struct Keys {
        let signing: URL
        let set: URL

        init() throws {
            let folder = try Fixtures.temporaryFolder("keys")
            signing = folder.appendingPathComponent("signing.jwk")
            set = folder.appendingPathComponent("playback-keys.json")
            let made = try runProcess(Fixtures.binary, ["keygen", "--alg", "ES256", "--kid", "k1", "--private", signing.path, "--keys", set.path])
            try #require(made.status == 0, "\(made.stderr)")
        }

        /// A token from `streamvault token`.
        func token(_ subject: String, _ options: String...) throws -> String {
            let output = try runProcess(Fixtures.binary, ["token", subject, "--signing-key", signing.path] + options)
            try #require(output.status == 0, "\(output.stderr)")
            return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
    }

    let keys: Keys

    init() throws {
        keys = try Keys()
        (signingKey, keySet) = (keys.signing, keys.set)
        daemon = try Daemon(extra: ["--playback-keys", keySet.path])
        id = try PlaybackTests.publishTestPattern(on: daemon)
    }

    var base: String { "http://127.0.0.1:\(daemon.port)" }

    /// A token for `subject` signed by PyJWT with the private JWK, in the lines docs/security.md shows.
    func pythonToken(_ subject: String, claims: String = "", key: URL? = nil) throws -> String {
        let script = """
            import json, sys, time, jwt
            jwk = json.load(open(sys.argv[1]))
            key = jwt.PyJWK(jwk)
            claims = {"sub": sys.argv[2], "exp": int(time.time()) + 600, **json.loads(sys.argv[3] or "{}")}
            print(jwt.encode(claims, key.key, algorithm=jwk["alg"], headers={"kid": jwk["kid"]}))
            """
        let output = try runProcess(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", script, (key ?? signingKey).path, subject, claims])
        try #require(output.status == 0, "\(output.stderr)")
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func code(_ body: Data) -> String? {
        ((try? JSONSerialization.jsonObject(with: body)) as? [String: [String: String]])?["error"]?["code"]
    }

    @Test func withoutATokenNothingPlaysAndAPythonSignedTokenPlaysInFFprobeAndGStreamer() throws {
        let master = "/hls/\(id)/master.m3u8"
        let refused = try daemon.get(master)
        #expect(refused.status == 401 && Self.code(refused.body) == "token_required", "\(refused)")
        #expect(try daemon.get("/hls/\(id)/360p/init.mp4").status == 401)
        #expect(try daemon.get("/hls/\(id)/poster.jpg").status == 401)
        #expect(try daemon.get("\(master)?token=\(try pythonToken("another-title"))").status == 403)
        #expect(Self.code(try daemon.get("\(master)?token=\(try pythonToken(id, claims: #"{"exp": 1}"#))").body) == "token_expired")

        let token = try pythonToken(id, claims: #"{"viewer": "u42"}"#)
        let answer = try daemon.get("\(master)?token=\(token)")
        #expect(answer.status == 200 && answer.headers["cache-control"] == "private, no-cache" && answer.headers["etag"] == nil)
        let text = String(decoding: answer.body, as: UTF8.self)
        let uris = text.split(separator: "\n").filter { !$0.hasPrefix("#") } + text.matches(of: /URI="([^"]+)"/).map(\.1)
        #expect(!uris.isEmpty && uris.allSatisfy { $0.hasSuffix("?token=\(token)") }, "\(text)")
        #expect(try daemon.get(master, headers: ["Authorization": "Bearer \(token)"]).status == 200)

        // The players ask for every URI of every playlist without a header: only the carried token opens them.
        let url = "\(base)\(master)?token=\(token)"
        let streams = try FFprobe.json(["-count_frames", "-show_streams", url])["streams"] as? [[String: Any]] ?? []
        #expect(streams.first { $0.string("codec_type") == "video" }?.string("nb_read_frames") == "180", "\(streams)")
        #expect(streams.filter { $0.string("codec_type") == "audio" }.count == 2)
        let played = try Players.gstreamer(url)
        #expect(played.ended, "\(played.output)")
        #expect(Self.code(try daemon.get("/hls/\(id)/manifest.mpd").body) == "token_required")
        #expect(String(decoding: try daemon.get("/hls/\(id)/manifest.mpd?token=\(token)").body, as: UTF8.self)
            .contains("init.mp4?token=\(token)"))
    }

    /// Keys rotate without a restart: a key added to the set opens at once, a key taken
    /// out is refused at once, and PyJWT's RS256 and HS256 tokens pass as its ES256 ones do.
    @Test func keysAddedToTheSetOpenAndKeysTakenOutAreRefusedWithoutARestart() throws {
        let master = "/hls/\(id)/master.m3u8"
        let old = try pythonToken(id)
        var keys: [URL] = []
        for (alg, kid) in [("RS256", "k2"), ("HS256", "k3")] {
            let key = signingKey.deletingLastPathComponent().appendingPathComponent("\(kid).jwk")
            let made = try runProcess(Fixtures.binary, ["keygen", "--alg", alg, "--kid", kid, "--private", key.path, "--keys", keySet.path])
            try #require(made.status == 0, "\(made.stderr)")
            keys.append(key)
        }
        for key in keys {
            let token = try pythonToken(id, key: key)
            var status = 0
            try waitUntil(timeout: 10, seen: { "status \(status)" }) {
                status = try daemon.get("\(master)?token=\(token)").status
                return status == 200
            }
        }
        // k1 leaves the set (edited and renamed into place, as the rotation steps say).
        let set = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: keySet)) as? [String: [[String: Any]]])
        let edited = keySet.deletingLastPathComponent().appendingPathComponent("edited.json")
        try JSONSerialization.data(withJSONObject: ["keys": set["keys"]!.filter { $0["kid"] as? String != "k1" }]).write(to: edited)
        #expect(rename(edited.path, keySet.path) == 0)
        var code: String?
        try waitUntil(timeout: 10, seen: { "code \(code ?? "none")" }) {
            code = Self.code(try daemon.get("\(master)?token=\(old)").body)
            return code == "token_invalid"
        }
        #expect(try daemon.get("\(master)?token=\(try pythonToken(id, key: keys[0]))").status == 200)
        // A broken set leaves the last good one in force, and the log says why.
        try Data("{\"keys\": [{\"kty\": \"EC\"}]}".utf8).write(to: keySet)
        try waitUntil(timeout: 10, seen: { daemon.logText.suffix(2000).description }) { daemon.logText.contains("playback keys not changed: \(keySet.path)") }
        #expect(try daemon.get("\(master)?token=\(try pythonToken(id, key: keys[1]))").status == 200)
    }

    @Test func chromiumPlaysTheWatchPageWithATokenAndNotWithout() throws {
        let token = try keys.token(id, "--ttl", "10m")
        let report = try Players.report("play_watch_page.py", "\(base)/watch/\(id)?token=\(token)", "3")
        #expect(report["error"] is NSNull && report["playError"] is NSNull, "\(report)")
        #expect((report["time"] as? Double ?? 0) >= 3 && report["height"] as? Int == 360, "\(report)")
        #expect((report["tracks"] as? [[String: Any]] ?? []).compactMap { $0["language"] as? String } == ["en", "es"], "\(report)")

        let page = String(decoding: try daemon.get("/watch/\(id)").body, as: UTF8.self)
        #expect(!page.contains("token="), "a page without a token hands none on")
    }

    @Test func videoJSPlaysFromAnotherOriginWithTheTokenOnTheMasterURLOnly() throws {
        let token = try keys.token(id, "--ttl", "10m", "--max-height", "1080", "--viewer", "u7")
        let report = try Players.report("play_videojs.py", "\(base)/hls/\(id)/master.m3u8?token=\(token)", try Players.videoJS.get().path, "4")
        #expect(report["error"] is NSNull && report["playError"] is NSNull, "\(report)")
        #expect((report["time"] as? Double ?? 0) >= 4 && report["height"] as? Int == 360, "\(report)")
        #expect(Set((report["audioTracks"] as? [[String: Any]] ?? []).compactMap { $0["language"] as? String }) == ["en", "fr"])

        // Under 360 lines the one rung is refused, even asked for by its URL.
        let small = try keys.token(id, "--max-height", "240")
        let rung = try daemon.get("/hls/\(id)/360p/index.m3u8?token=\(small)")
        #expect(rung.status == 403 && Self.code(rung.body) == "token_scope")
        #expect(!String(decoding: try daemon.get("/hls/\(id)/master.m3u8?token=\(small)").body, as: UTF8.self).contains("360p/"))
    }
}
