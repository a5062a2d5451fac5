import Catalog
@testable import Delivery
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ingest
import Logging
import NIOCore
import Testing
import TestSupport
import VaultLayout

/// Protected playback (SPEC §12), in process on a real vault and catalog: tokens signed
/// with real keys of each kind, every forgery refused with its code, scope and `maxHeight`,
/// tokens carried into every URI of every playlist kind, key rotation, rate limits.
@Suite struct PlaybackProtectionTests {
    let vault: Vault
    let catalog: any CatalogStore
    /// A movie with 360p and 720p rungs, an episode of a series, and a second movie.
    let movie: String, episode: String, series: String, other: String
    let keys: [PlaybackAlgorithm: PlaybackSigningKey]
    let keySet: URL

    static let master = """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="en",NAME="English",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="audio/en/index.m3u8"
        #EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",LANGUAGE="en",NAME="English",DEFAULT=NO,AUTOSELECT=YES,URI="subs/en/index.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=900000,AVERAGE-BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.64001e,mp4a.40.2",AUDIO="aac",SUBTITLES="subs"
        360p/index.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=3000000,AVERAGE-BANDWIDTH=2800000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aac",SUBTITLES="subs"
        720p/index.m3u8
        #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,RESOLUTION=640x360,CODECS="avc1.64001e",URI="360p/iframes.m3u8"
        #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=300000,RESOLUTION=1280x720,CODECS="avc1.64001f",URI="720p/iframes.m3u8"

        """
    static let media = """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-TARGETDURATION:6
        #EXT-X-MEDIA-SEQUENCE:0
        #EXT-X-PLAYLIST-TYPE:VOD
        #EXT-X-MAP:URI="init.mp4"
        #EXTINF:6.000000,
        seg_00001.m4s
        #EXT-X-ENDLIST

        """
    static let iFrames = """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-I-FRAMES-ONLY
        #EXT-X-MAP:URI="init.mp4"
        #EXTINF:6.000000,
        #EXT-X-BYTERANGE:1000@0
        seg_00001.m4s
        #EXT-X-ENDLIST

        """
    static let mpd = """
        <?xml version="1.0" encoding="UTF-8"?>
        <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT6S" minBufferTime="PT6S">
          <Period id="0" start="PT0S">
            <AdaptationSet id="0" contentType="video" mimeType="video/mp4" segmentAlignment="true" startWithSAP="1" maxWidth="1280" maxHeight="720" frameRate="30">
              <Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>
              <SegmentTemplate timescale="15360" presentationTimeOffset="0" initialization="$RepresentationID$/init.mp4" media="$RepresentationID$/seg_$Number%05d$.m4s" startNumber="1">
                <SegmentTimeline>
                  <S t="0" d="92160"/>
                </SegmentTimeline>
              </SegmentTemplate>
              <Representation id="360p" codecs="avc1.64001e" bandwidth="800000" width="640" height="360" sar="1:1"/>
              <Representation id="720p" codecs="avc1.64001f" bandwidth="2800000" width="1280" height="720" sar="1:1"/>
            </AdaptationSet>
            <AdaptationSet id="2" contentType="text" mimeType="text/vtt" lang="en">
              <Representation id="subs-en" bandwidth="256">
                <BaseURL>subs/en.vtt</BaseURL>
              </Representation>
            </AdaptationSet>
          </Period>
        </MPD>

        """
    static let storyboard = "WEBVTT\n\n00:00:00.000 --> 00:00:05.000\nstoryboard.jpg#xywh=0,0,160,90\n"

    init() async throws {
        vault = Vault(root: try Fixtures.temporaryFolder("playback"))
        try vault.create()
        catalog = try await CatalogLocation.sqlite(path: vault.catalog.path).open()
        var ids: [String] = []
        for (name, seriesName) in [("Film", nil), ("Pilot", "Show"), ("Other film", nil)] as [(String, String?)] {
            let job = Job(source: "\(name).mp4", origin: .ingest, preset: "default", maxAttempts: 3)
            try await catalog.enqueue(job)
            _ = try await catalog.claimNextTask(owner: LeaseOwner(host: "test", pid: 1, nonce: "me"), node: "n", lease: .seconds(30))
            try Self.writeTitle(in: vault.media(job.mediaId))
            let media = Media(id: job.mediaId, type: seriesName == nil ? .movie : .series, title: name, durationSeconds: 6,
                              seasonNumber: seriesName == nil ? nil : 1, episodeNumber: seriesName == nil ? nil : 1,
                              digest: name, source: job.source, hasPoster: true, hasStoryboard: true, hasDash: true)
            let renditions = [(360, 640), (720, 1280)].map { height, width in
                Rendition(mediaId: job.mediaId, quality: "\(height)p", width: width, height: height, size: 1000, bandwidth: 900_000,
                          averageBandwidth: 800_000, codecs: "avc1.64001e", playlist: "\(height)p/index.m3u8", iFramePlaylist: "\(height)p/iframes.m3u8")
            }
            _ = try await catalog.publish(PublishedTitle(
                media: media, series: seriesName.map { PublishedTitle.SeriesName(title: $0, type: .series, year: nil) },
                renditions: renditions, audio: [], subtitles: []), jobID: job.id)
            ids.append(job.mediaId)
        }
        (movie, episode, other) = (ids[0], ids[1], ids[2])
        let entry = try await catalog.entry(id: episode)
        var seriesId: String?
        if case let .title(record)? = entry { seriesId = record.media.seriesId }
        series = try #require(seriesId, "the episode belongs to a series")
        var keys: [PlaybackAlgorithm: PlaybackSigningKey] = [:]
        keySet = vault.root.appendingPathComponent("playback-keys.json")
        for algorithm in PlaybackAlgorithm.allCases {
            let key = try PlaybackSigningKey.generate(algorithm, kid: algorithm.rawValue.lowercased())
            try key.addPublicPart(toSetAt: keySet)
            keys[algorithm] = key
        }
        self.keys = keys
    }

    static func writeTitle(in folder: URL) throws {
        let files: [String: String] = [
            "master.m3u8": master, "manifest.mpd": mpd, "storyboard.vtt": storyboard, "storyboard.jpg": "jpeg", "poster.jpg": "jpeg",
            "360p/index.m3u8": media, "720p/index.m3u8": media, "360p/iframes.m3u8": iFrames, "720p/iframes.m3u8": iFrames,
            "audio/en/index.m3u8": media, "subs/en/index.m3u8": "#EXTM3U\n#EXTINF:6.000,\nseg_00001.vtt\n#EXT-X-ENDLIST\n",
            "360p/init.mp4": "init", "720p/init.mp4": "init", "360p/seg_00001.m4s": "360", "720p/seg_00001.m4s": "720",
            "audio/en/init.mp4": "init", "audio/en/seg_00001.m4s": "aac", "subs/en.vtt": "WEBVTT\n", "subs/en/seg_00001.vtt": "WEBVTT\n",
        ]
        for (path, text) in files {
            let file = folder.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: file)
        }
    }

    func server(rateLimit: RateLimit? = nil, trust: [String] = []) async throws -> DeliveryServer {
        let playback = try await PlaybackKeys(file: keySet, logger: Logger(label: "test"))
        return DeliveryServer(vault: vault, catalog: catalog, token: "sesame", submit: { _, _, _ in throw APIError.badRequest("no") },
                              host: "127.0.0.1", port: 0, registry: DeliveryTests.registry, logger: Logger(label: "test"),
                              access: AccessRules(playbackKeys: playback, rateLimit: rateLimit,
                                                  trustedProxies: trust.compactMap(AddressRange.init)))
    }

    func token(_ subject: String, _ algorithm: PlaybackAlgorithm = .es256, expiresIn: TimeInterval = 600, notBefore: TimeInterval? = nil,
               maxHeight: Int? = nil) async throws -> String {
        try await keys[algorithm]!.sign(PlaybackClaims(subject: subject, expires: Date().addingTimeInterval(expiresIn),
                                                       notBefore: notBefore.map { Date().addingTimeInterval($0) }, maxHeight: maxHeight))
    }

    /// A token by hand: any header, any claims, any signature.
    static func forged(header: String, claims: String, signature: String = "") -> String {
        [Base64URL.encode(Data(header.utf8)), Base64URL.encode(Data(claims.utf8)), signature].joined(separator: ".")
    }

    /// The error code of a JSON error answer.
    static func code(_ response: TestResponse) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: [String: String]]
        return object?["error"]?["code"]
    }

    @Test func everyForgeryIsRefusedWithItsCode() async throws {
        let exp = Int(Date().timeIntervalSince1970) + 600
        let claims = #"{"sub":"\#(movie)","exp":\#(exp)}"#
        let valid = try await token(movie, .rs256)
        let parts = valid.split(separator: ".")
        // An HMAC keyed by the RSA key's public part, as the classic confusion attack makes it.
        let publicPart = try Data(contentsOf: keySet)
        let confused = try await PlaybackSigningKey(json: Data(#"{"kty":"oct","kid":"rs256","alg":"HS256","k":"\#(Base64URL.encode(publicPart))"}"#.utf8))
            .sign(PlaybackClaims(subject: movie, expires: Date().addingTimeInterval(600)))
        var flipped = Array(parts[2].utf8)
        flipped[10] = flipped[10] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let cases: [(String, String)] = [
            ("not a token", "token_invalid"),
            (Self.forged(header: #"{"alg":"none","kid":"es256"}"#, claims: claims), "token_invalid"),
            (Self.forged(header: #"{"alg":"none"}"#, claims: claims), "token_invalid"),
            (confused, "token_invalid"),
            (Self.forged(header: #"{"alg":"ES256","kid":"nobody"}"#, claims: claims, signature: String(parts[2])), "token_invalid"),
            ("\(parts[0]).\(parts[1]).\(String(decoding: flipped, as: UTF8.self))", "token_invalid"),
            (try await token(movie, .hs256, expiresIn: -31), "token_expired"),
            (try await token(movie, expiresIn: 3600, notBefore: 1800), "token_expired"),
            (try await token(other), "token_scope"),
            (try await token("no-such-title"), "token_scope"),
        ]
        let app = Application(router: try await server().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/hls/\(movie)/master.m3u8", method: .get) { response in
                #expect(response.status == .unauthorized && Self.code(response) == "token_required")
            }
            for (token, code) in cases {
                try await client.execute(uri: "/hls/\(movie)/master.m3u8?token=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")",
                                         method: .get) { response in
                    #expect(response.status == .forbidden && Self.code(response) == code, "\(token): \(String(buffer: response.body))")
                }
            }
        }
        // A token for another title asks for one that does not exist: the same answer as for one that does.
        // (A server of its own: the ten refusals above closed this one to the test's address.)
        try await Application(router: try await server().router()).test(.router) { client in
            try await client.execute(uri: "/hls/no-such-title/master.m3u8?token=\(try await token(movie))", method: .get) { response in
                #expect(response.status == .forbidden && Self.code(response) == "token_scope")
            }
        }
    }

    @Test func validTokensOpenTheirTitleTheirSeriesOrEverythingWithinTheLeeway() async throws {
        let app = Application(router: try await server().router())
        try await app.test(.router) { client in
            for algorithm in PlaybackAlgorithm.allCases {
                let token = try await token(movie, algorithm)
                try await client.execute(uri: "/hls/\(movie)/master.m3u8?token=\(token)", method: .get) { response in
                    #expect(response.status == .ok, "\(algorithm): \(String(buffer: response.body))")
                    #expect(response.headers[.cacheControl] == "private, no-cache")
                }
                try await client.execute(uri: "/hls/\(movie)/720p/seg_00001.m4s", method: .get,
                                         headers: [.authorization: "Bearer \(token)"]) { response in
                    #expect(response.status == .ok && String(buffer: response.body) == "720")
                }
            }
            for (subject, title) in [(series, episode), ("*", other), ("*", episode)] {
                try await client.execute(uri: "/hls/\(title)/master.m3u8?token=\(try await token(subject))", method: .get) { response in
                    #expect(response.status == .ok, "\(subject) → \(title)")
                }
            }
            try await client.execute(uri: "/hls/\(movie)/master.m3u8?token=\(try await token(series))", method: .get) { response in
                #expect(response.status == .forbidden && Self.code(response) == "token_scope")
            }
            for token in [try await token(movie, expiresIn: -20), try await token(movie, notBefore: 20)] {
                try await client.execute(uri: "/hls/\(movie)/master.m3u8?token=\(token)", method: .get) { response in
                    #expect(response.status == .ok, "within the 30 s leeway: \(String(buffer: response.body))")
                }
            }
        }
    }

    @Test func aMaxHeightTokenSeesAndOpensOnlyTheVariantsUpToIt() async throws {
        let token = try await token(movie, maxHeight: 360)
        let app = Application(router: try await server().router())
        try await app.test(.router) { client in
            try await client.execute(uri: "/hls/\(movie)/master.m3u8?token=\(token)", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains("360p/index.m3u8?token=") && text.contains("360p/iframes.m3u8?token="))
                #expect(!text.contains("720p") && !text.contains("1280x720"), "\(text)")
            }
            try await client.execute(uri: "/hls/\(movie)/manifest.mpd?token=\(token)", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(text.contains(#"<Representation id="360p""#) && !text.contains(#"<Representation id="720p""#), "\(text)")
            }
            for path in ["720p/index.m3u8", "720p/iframes.m3u8", "720p/seg_00001.m4s", "720p/init.mp4"] {
                try await client.execute(uri: "/hls/\(movie)/\(path)?token=\(token)", method: .get) { response in
                    #expect(response.status == .forbidden && Self.code(response) == "token_scope", "\(path)")
                }
            }
            for path in ["360p/seg_00001.m4s", "audio/en/seg_00001.m4s", "subs/en.vtt", "poster.jpg"] {
                try await client.execute(uri: "/hls/\(movie)/\(path)?token=\(token)", method: .get) { response in
                    #expect(response.status == .ok, "\(path)")
                }
            }
        }
    }

    /// Every URI of every playlist kind carries the token, as the player must send it.
    /// A title being packaged (recorded as processing), with the same files as the others.
    func processingTitle() async throws -> String {
        let job = Job(source: "Live.mp4", origin: .ingest, preset: "default", maxAttempts: 3)
        try await catalog.enqueue(job)
        _ = try await catalog.claimNextTask(owner: LeaseOwner(host: "test", pid: 1, nonce: "me"), node: "n", lease: .seconds(30))
        try Self.writeTitle(in: vault.media(job.mediaId))
        let media = Media(id: job.mediaId, type: .movie, title: "Live", durationSeconds: 6, digest: "live", source: job.source,
                          hasPoster: true, hasStoryboard: true, hasDash: true)
        try await catalog.publishProcessing(PublishedTitle(media: media, series: nil, renditions: [], audio: [], subtitles: []))
        return job.mediaId
    }

    @Test(arguments: [false, true]) func theTokenIsCarriedIntoEveryURIOfEveryPlaylist(processing: Bool) async throws {
        let movie = processing ? try await processingTitle() : self.movie
        let token = try await token(movie, .hs256)
        let app = Application(router: try await server().router())
        try await app.test(.router) { client in
            for path in ["master.m3u8", "360p/index.m3u8", "720p/iframes.m3u8", "audio/en/index.m3u8", "subs/en/index.m3u8",
                         "manifest.mpd", "storyboard.vtt"] {
                try await client.execute(uri: "/hls/\(movie)/\(path)?token=\(token)", method: .get) { response in
                    #expect(response.status == .ok && response.headers[.cacheControl] == "private, no-cache", "\(path)")
                    #expect(response.headers[.eTag] == nil, "a tokened answer is not shared: \(path)")
                    let uris = Self.uris(in: String(buffer: response.body), path: path)
                    #expect(!uris.isEmpty, "\(path)")
                    for uri in uris {
                        #expect(uri.contains("?token=\(token)"), "\(path): \(uri)")
                    }
                }
            }
            // Each URI the master names, fetched as a player would, with only what the playlist gave.
            let master = try await client.execute(uri: "/hls/\(movie)/master.m3u8?token=\(token)", method: .get) { String(buffer: $0.body) }
            for uri in Self.uris(in: master, path: "master.m3u8") {
                try await client.execute(uri: "/hls/\(movie)/\(uri)", method: .get) { response in
                    #expect(response.status == .ok, "\(uri)")
                }
            }
        }
    }

    /// The URIs a playlist holds: HLS URI lines and `URI="…"`, MPD templates and `BaseURL`s,
    /// the storyboard's image URIs.
    static func uris(in text: String, path: String) -> [String] {
        let lines = text.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        func quoted(_ name: String, _ line: String) -> String? {
            guard let start = line.range(of: "\(name)=\"") else { return nil }
            return String(line[start.upperBound...].prefix { $0 != "\"" })
        }
        if path.hasSuffix(".mpd") {
            return lines.flatMap { line in
                ["initialization", "media"].compactMap { quoted($0, line) }.map { $0.replacingOccurrences(of: "&amp;", with: "&") }
                    + (line.hasPrefix("<BaseURL>") ? [line.dropFirst(9).prefix { $0 != "<" }.replacingOccurrences(of: "&amp;", with: "&")] : [])
            }
        }
        if path.hasSuffix(".vtt") { return lines.filter { $0.hasPrefix("storyboard.jpg") } }
        return lines.compactMap { $0.hasPrefix("#") ? quoted("URI", $0) : $0 }
    }

    @Test func aNewKeySetIsTakenWithoutARestartAndABadOneLeavesTheLastGoodSet() async throws {
        let playback = try await PlaybackKeys(file: keySet, logger: Logger(label: "test"))
        let verifier = PlaybackTokenVerifier(keys: playback)
        let before = try await token(movie, .es256)
        _ = try await verifier.grant(for: before)
        // Rotation: a new ES256 key replaces the old one in the set.
        let rotated = try PlaybackSigningKey.generate(.es256, kid: "es256-2")
        try FileManager.default.removeItem(at: keySet)
        try rotated.addPublicPart(toSetAt: keySet)
        #expect(await playback.reloadIfChanged())
        await #expect(throws: PlaybackRefusal.self) { try await verifier.grant(for: before) }  // remembered, but its key is gone
        let after = try await rotated.sign(PlaybackClaims(subject: movie, expires: Date().addingTimeInterval(60)))
        #expect(try await verifier.grant(for: after).scope == .title(movie))
        // A broken file: the last good set stays.
        try Data("{ not json".utf8).write(to: keySet)
        #expect(await playback.reloadIfChanged() == false)
        #expect(try await verifier.grant(for: after).scope == .title(movie))
    }

    @Test func aKeySetThatCannotBeUsedIsRefusedNamingTheCause() async throws {
        let cases: [(String, String)] = [
            ("{}", "not a JWK Set"), (#"{"keys": []}"#, "no key"),
            (#"{"keys": [{"kty": "oct", "k": "c2VjcmV0"}]}"#, "no kid"),
            (#"{"keys": [{"kty": "oct", "kid": "a", "k": "c2VjcmV0"}]}"#, "at least 32 bytes"),
            (#"{"keys": [{"kty": "RSA", "kid": "a", "alg": "HS256", "n": "AQAB", "e": "AQAB"}]}"#, "does not fit"),
            (#"{"keys": [{"kty": "EC", "kid": "a", "crv": "P-256", "x": "AA", "y": "AA"}]}"#, "key a (ES256)"),
            (#"{"keys": [{"kty": "OKP", "kid": "a"}]}"#, "is not oct, RSA or EC"),
        ]
        for (json, reason) in cases {
            let file = vault.root.appendingPathComponent("bad.json")
            try Data(json.utf8).write(to: file)
            do {
                _ = try await PlaybackKeys(file: file, logger: Logger(label: "test"))
                Issue.record("\(json) was taken")
            } catch {
                #expect(error.description.contains(file.path) && error.description.contains(reason), "\(error)")
            }
        }
        let withPrivate = #"{"keys": [\#(String(decoding: keys[.es256]!.privateJSON, as: UTF8.self))]}"#
        try Data(withPrivate.utf8).write(to: vault.root.appendingPathComponent("private.json"))
        await #expect(throws: PlaybackKeySet.Problem.self) {
            try await PlaybackKeys(file: vault.root.appendingPathComponent("private.json"), logger: Logger(label: "test"))
        }
    }

    @Test func tenRefusedTokensStopThatAddressAlone() async throws {
        let app = Application(router: try await server(trust: ["127.0.0.1/32"]).router())
        let good = try await token(movie)
        try await app.test(.live) { client in
            func get(_ path: String, from address: String) async throws -> TestResponse {
                try await client.execute(uri: path, method: .get, headers: [.xForwardedFor: address])
            }
            let started = Date()
            for _ in 0..<PlaybackGuard.refusalsAllowed {
                #expect(try await get("/hls/\(movie)/master.m3u8?token=forged", from: "203.0.113.7").status == .forbidden)
            }
            let blocked = try await get("/hls/\(movie)/master.m3u8?token=\(good)", from: "203.0.113.7")
            // Until the end of the 15 minutes that began with the first refusal.
            let retryAfter = Int(blocked.headers[.retryAfter] ?? "") ?? 0
            #expect(blocked.status == .tooManyRequests && retryAfter <= 900 && Double(retryAfter) >= 899 - Date().timeIntervalSince(started))
            #expect(try await get("/hls/\(movie)/master.m3u8?token=\(good)", from: "198.51.100.1").status == .ok)
            #expect(try await get("/api/media", from: "203.0.113.7").status == .ok, "the API is not playback")
        }
    }

    @Test func theAPIAndPagesAreRateLimitedPerAddressAndPlaybackIsNot() async throws {
        let app = Application(router: try await server(rateLimit: RateLimit("3/1m"), trust: ["127.0.0.0/8"]).router())
        let good = try await token(movie)
        try await app.test(.live) { client in
            for remaining in [2, 1, 0] {
                let response = try await client.execute(uri: "/api/media", method: .get, headers: [.xForwardedFor: "192.0.2.1"])
                #expect(response.status == .ok && response.headers[.rateLimitRemaining] == String(remaining))
                #expect(response.headers[.rateLimitLimit] == "3" && Int(response.headers[.rateLimitReset] ?? "") ?? 0 > 0)
            }
            let refused = try await client.execute(uri: "/", method: .get, headers: [.xForwardedFor: "192.0.2.1"])
            #expect(refused.status == .tooManyRequests && Self.code(refused) == "rate_limited")
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 > 0 && refused.headers[.rateLimitRemaining] == "0")
            // A forged hop before a trusted one is not believed: the last untrusted address counts.
            let other = try await client.execute(uri: "/api/media", method: .get, headers: [.xForwardedFor: "192.0.2.1, 192.0.2.2"])
            #expect(other.status == .ok)
            for _ in 0..<5 {
                let playback = try await client.execute(uri: "/hls/\(movie)/master.m3u8?token=\(good)", method: .get,
                                                        headers: [.xForwardedFor: "192.0.2.1"])
                #expect(playback.status == .ok)
            }
            #expect(try await client.execute(uri: "/healthz", method: .get, headers: [.xForwardedFor: "192.0.2.1"]).status == .ok)
        }
    }

    @Test func trustedProxiesAreBelievedAndOthersAreNot() throws {
        let clients = ClientAddresses(trustedProxies: ["10.0.0.0/8", "::1"].compactMap(AddressRange.init))
        func address(_ peer: String, _ forwarded: String?) throws -> String {
            var headers: HTTPFields = [:]
            if let forwarded { headers[.xForwardedFor] = forwarded }
            let request = Request(head: HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/", headerFields: headers),
                                  body: .init(buffer: ByteBuffer()))
            return clients.address(of: request, peer: try SocketAddress(ipAddress: peer, port: 1))
        }
        #expect(try address("10.1.2.3", "198.51.100.9") == "198.51.100.9")
        #expect(try address("10.1.2.3", "198.51.100.9, 10.9.9.9") == "198.51.100.9")
        #expect(try address("192.0.2.5", "198.51.100.9") == "192.0.2.5", "an untrusted peer's header is ignored")
        #expect(try address("10.1.2.3", "garbage") == "10.1.2.3")
        #expect(try address("::1", "2001:db8::1") == "2001:db8::1")
        #expect(AddressRange("10.0.0.0/33") == nil && AddressRange("nonsense") == nil)
        #expect(AddressRange("::ffff:10.1.1.1").map { $0.contains(AddressRange.Address("10.1.1.1")!) } == true)
    }

    @Test func theCounterForgetsItsWindowAndStaysBounded() {
        let counter = AddressCounter(window: .seconds(10), maximumAddresses: 2)
        let start = ContinuousClock.now
        #expect(counter.record("a", now: start).count == 1)
        #expect(counter.record("a", now: start).count == 2)
        #expect(counter.record("b", now: start).count == 1)
        #expect(counter.record("c", now: start).count == 0, "past the bound, new addresses go uncounted")
        #expect(counter.reading("a", now: start + .seconds(3)).secondsLeft == 7)
        #expect(counter.record("a", now: start + .seconds(11)).count == 1)
    }

    @Test func withoutKeysPlaybackStaysOpen() async throws {
        let server = DeliveryServer(vault: vault, catalog: catalog, token: "sesame", submit: { _, _, _ in throw APIError.badRequest("no") },
                                    host: "127.0.0.1", port: 0, registry: DeliveryTests.registry, logger: Logger(label: "test"))
        try await Application(router: server.router()).test(.router) { client in
            try await client.execute(uri: "/hls/\(movie)/master.m3u8", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body) == Self.master)
            }
        }
    }
}
