import Catalog
import CompressNIO
@testable import Delivery
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ingest
import Logging
import Metrics
import Prometheus
import Testing
import TestSupport
import VaultLayout

/// The HTTP rules, in process (Hummingbird's router test client) on a real vault and catalog.
@Suite struct DeliveryTests {
    /// swift-metrics takes one backend per process: these tests share this registry.
    static let registry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()

    let vault: Vault
    let catalog: any CatalogStore
    let id: String
    let segment = Data((0..<2000).map { UInt8($0 % 251) })
    let master = "#EXTM3U\n#EXT-X-VERSION:7\n" + String(repeating: "#EXT-X-STREAM-INF:BANDWIDTH=1000\n720p/index.m3u8\n", count: 20)

    init() async throws {
        vault = Vault(root: try Fixtures.temporaryFolder("delivery"))
        try vault.create()
        catalog = try await CatalogLocation.sqlite(path: vault.catalog.path).open()
        let job = Job(source: "<Film> & Co (2020).mp4", origin: .ingest, preset: "default", maxAttempts: 3)
        id = job.mediaId
        try await catalog.enqueue(job)
        _ = try await catalog.claimNextTask(owner: LeaseOwner(host: "test", pid: 1, nonce: "me"), node: "n", lease: .seconds(30))
        let folder = vault.media(id)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("720p"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("subs"), withIntermediateDirectories: true)
        try Data(master.utf8).write(to: folder.appendingPathComponent("master.m3u8"))
        try segment.write(to: folder.appendingPathComponent("720p/seg_00001.m4s"))
        try Data("WEBVTT\n".utf8).write(to: folder.appendingPathComponent("subs/en.vtt"))
        try Data("secret".utf8).write(to: vault.root.appendingPathComponent("outside.txt"))
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("720p/escape.m4s"),
                                                   withDestinationURL: vault.root.appendingPathComponent("outside.txt"))
        // A folder linked to one outside media/, and a FIFO (never opened for reading: it would block).
        try FileManager.default.createDirectory(at: vault.root.appendingPathComponent("elsewhere"), withIntermediateDirectories: true)
        try Data("secret".utf8).write(to: vault.root.appendingPathComponent("elsewhere/index.m3u8"))
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("linked"),
                                                   withDestinationURL: vault.root.appendingPathComponent("elsewhere"))
        #expect(mkfifo(folder.appendingPathComponent("pipe.m3u8").path, 0o644) == 0)
        // A folder in media/ that the catalog does not know: never served.
        try FileManager.default.createDirectory(at: vault.media("unpublished"), withIntermediateDirectories: true)
        try Data(master.utf8).write(to: vault.media("unpublished").appendingPathComponent("master.m3u8"))
        let media = Media(id: id, type: .movie, title: "<Film> & Co", year: 2020, durationSeconds: 90, digest: "d",
                          source: job.source, hasPoster: true, hasStoryboard: false)
        _ = try await catalog.publish(PublishedTitle(
            media: media, series: nil, renditions: [], audio: [],
            subtitles: [SubtitleTrack(mediaId: id, language: "en", name: "English", isForced: false, isHearingImpaired: false,
                                      playlist: "subs/en/index.m3u8", file: "subs/en.vtt")]), jobID: job.id)
        _ = Self.registry
    }

    /// Uploads as `serve` takes them, up to 1 MiB, into jobs of the default preset.
    var uploads: UploadIntake {
        let (vault, catalog) = (vault, catalog)
        return UploadIntake(maxBytes: 1 << 20, expiry: .seconds(3600), presetExists: { $0 == "default" || $0 == "preview" }) { file, title, type, preset in
            try await JobSubmission(file: file.path, title: title, type: type, preset: preset ?? "default", maxAttempts: 3, origin: .api,
                                    mayCopy: false).enqueue(in: vault, catalog: catalog)
        }
    }

    /// The daemon's HTTP side on this vault, submitting files as `serve` does (linked, never copied).
    func server() -> DeliveryServer {
        let (vault, catalog) = (vault, catalog)
        return DeliveryServer(vault: vault, catalog: catalog, token: "sesame", submit: { path, title, type in
            try await JobSubmission(file: path, title: title, type: type, preset: "default", maxAttempts: 3, origin: .api,
                                    mayCopy: false).enqueue(in: vault, catalog: catalog)
        }, host: "127.0.0.1", port: 0, registry: Self.registry, logger: Logger(label: "test"), uploads: uploads)
    }

    func test(_ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await Application(router: server().router()).test(.router, body)
    }

    @Test func theOpenAPIDocumentsListsAreTheDomainsValues() throws {
        let document = try JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json.utf8)) as? [String: Any]
        let schemas = (document?["components"] as? [String: Any])?["schemas"] as? [String: Any]
        func values(_ name: String) -> [String]? { (schemas?[name] as? [String: Any])?["enum"] as? [String] }
        #expect(values("MediaType") == MediaType.allCases.map(\.rawValue))
        #expect(values("JobState") == Job.State.allCases.map(\.rawValue))
        #expect(values("JobStage") == Job.Stage.allCases.map(\.rawValue))
    }

    @Test func anUnknownTypeIsRefusedNamingTheTypes() async throws {
        try await test { client in
            try await client.execute(uri: "/api/media?type=opera", method: .get) { response in
                #expect(response.status == .badRequest && String(buffer: response.body).contains("movie, series, anime, cartoon, game"))
            }
            try await client.execute(uri: "/api/jobs", method: .post, headers: [.authorization: "Bearer sesame"],
                                     body: ByteBuffer(string: #"{"path": "/x.mp4", "type": "opera"}"#)) { response in
                #expect(response.status == .badRequest && String(buffer: response.body).contains("type must be one of"))
            }
        }
        #expect(try await catalog.jobs(state: nil).count == 1)  // the one made at setup: nothing queued
    }

    @Test func theOpenAPIDocumentDescribesExactlyTheAPIRoutes() async throws {
        let routes = Set(server().router().routes.map { route in
            "\(route.method) " + "\(route.path)".split(separator: "/").map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }
                .reduce("") { $0 + "/" + $1 }
        }.filter { $0.contains(" /api/") || $0.hasSuffix(" /healthz") })
        try await test { client in
            try await client.execute(uri: "/api/openapi.json", method: .get) { response in
                #expect(response.status == .ok && response.headers[.contentType]?.hasPrefix("application/json") == true)
                let document = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                #expect(document["openapi"] as? String == "3.0.3")
                let paths = document["paths"] as? [String: [String: Any]] ?? [:]
                let described = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(path)" } })
                #expect(described == routes, "described only: \(described.subtracting(routes)); routes only: \(routes.subtracting(described))")
            }
        }
    }

    @Test func playlistsAndSegmentsHaveTheirTypesCachingAndCORS() async throws {
        try await test { client in
            try await client.execute(uri: "/hls/\(id)/master.m3u8", method: .get) { response in
                #expect(response.status == .ok && String(buffer: response.body) == master)
                #expect(response.headers[.contentType] == "application/vnd.apple.mpegurl")
                #expect(response.headers[.cacheControl] == "public, max-age=10")
                #expect(response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.accessControlExposeHeaders] == "Content-Length, Content-Range")
                #expect(response.headers[.eTag] != nil && response.headers[.lastModified] != nil)
            }
            try await client.execute(uri: "/hls/\(id)/720p/seg_00001.m4s", method: .head) { response in
                #expect(response.status == .ok && response.body.readableBytes == 0)
                #expect(response.headers[.contentLength] == "2000" && response.headers[.contentType] == "video/iso.segment")
                #expect(response.headers[.cacheControl] == "public, max-age=31536000, immutable")
            }
            try await client.execute(uri: "/hls/\(id)/subs/en.vtt", method: .get) { response in
                #expect(response.headers[.contentType] == "text/vtt; charset=utf-8")
            }
            try await client.execute(uri: "/hls/\(id)/master.m3u8", method: .options,
                                     headers: [.origin: "https://player.example", .accessControlRequestMethod: "GET"]) { response in
                #expect(response.status == .noContent && response.headers[.accessControlAllowOrigin] == "*")
                #expect(response.headers[.accessControlAllowMethods]?.contains("GET") == true)
            }
        }
    }

    @Test func rangesETagsAndGzipFollowHTTP() async throws {
        try await test { client in
            let uri = "/hls/\(id)/720p/seg_00001.m4s"
            try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=100-199"]) { response in
                #expect(response.status == .partialContent && response.headers[.contentRange] == "bytes 100-199/2000")
                #expect(Data(buffer: response.body) == segment[100..<200])
            }
            try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=-300"]) { response in
                #expect(response.status == .partialContent && response.headers[.contentRange] == "bytes 1700-1999/2000")
                #expect(Data(buffer: response.body) == segment[1700...])
            }
            try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=1900-9999"]) { response in
                #expect(response.status == .partialContent && response.body.readableBytes == 100)
            }
            try await client.execute(uri: uri, method: .get, headers: [.range: "bytes=5000-"]) { response in
                #expect(response.status == .rangeNotSatisfiable && response.headers[.contentRange] == "bytes */2000")
            }
            for malformed in ["bytes=nonsense", "bytes=9-2", "items=0-1", "bytes=0-1,5-6"] {
                try await client.execute(uri: uri, method: .get, headers: [.range: malformed]) { response in
                    #expect(response.status == .ok && response.body.readableBytes == 2000, "\(malformed)")
                }
            }
            let eTag = try await client.execute(uri: uri, method: .get) { $0.headers[.eTag] }
            try await client.execute(uri: uri, method: .get, headers: [.ifNoneMatch: eTag ?? ""]) { response in
                #expect(response.status == .notModified && response.body.readableBytes == 0)
            }
            try await client.execute(uri: "/hls/\(id)/master.m3u8", method: .get, headers: [.acceptEncoding: "br, gzip"]) { response in
                #expect(response.headers[.contentEncoding] == "gzip" && response.headers[.vary] == "Accept-Encoding")
                var body = response.body
                let plain = try body.decompress(with: .gzip())
                #expect(String(buffer: plain) == master)
                #expect(response.body.readableBytes < master.utf8.count)
            }
            try await client.execute(uri: "/hls/\(id)/master.m3u8", method: .get, headers: [.acceptEncoding: "gzip;q=0"]) { response in
                #expect(response.headers[.contentEncoding] == nil && String(buffer: response.body) == master)
            }
        }
    }

    @Test(arguments: [
        "/hls/ID/../outside.txt", "/hls/ID/..%2f..%2foutside.txt", "/hls/ID/%2e%2e/%2e%2e/outside.txt", "/hls/ID/720p%2fseg_00001.m4s",
        "/hls/ID/720p/escape.m4s", "/hls/unpublished/master.m3u8", "/hls//etc/passwd", "/hls/ID//etc/passwd",
        "/hls/ID/missing.m3u8", "/hls/ID/720p", "/hls/../catalog.sqlite", "/hls/ID/.hidden.m3u8", "/catalog.sqlite",
        "/work/x", "/originals/ID/a.mp4", "/hls/ID/linked/index.m3u8", "/hls/ID/pipe.m3u8",
    ])
    func nothingOutsidePublishedTitlesIsServed(path: String) async throws {
        try await test { client in
            try await client.execute(uri: path.replacingOccurrences(of: "ID", with: id), method: .get) { response in
                #expect(response.status == .notFound, "\(path): \(response.status)")
                #expect(!String(buffer: response.body).contains("secret"))
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
        }
    }

    @Test func theAPIAnswersWithSeedShapedJSONAndJSONErrors() async throws {
        try await test { client in
            try await client.execute(uri: "/api/media?limit=5", method: .get) { response in
                let page = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any] ?? [:]
                #expect(page["total"] as? Int == 1 && page["page"] as? Int == 1 && page["limit"] as? Int == 5)
                let item = (page["items"] as? [[String: Any]])?.first ?? [:]
                #expect(item["title"] as? String == "<Film> & Co" && item["hls"] as? String == "/hls/\(id)/master.m3u8")
                #expect(item["duration"] as? Double == 1.5 && item["durationSeconds"] as? Double == 90)
            }
            try await client.execute(uri: "/api/media/search?q=film", method: .get) { response in
                #expect(String(buffer: response.body).contains(id))
            }
            for (uri, status, code) in [("/api/media/nope", HTTPResponse.Status.notFound, "not_found"),
                                        ("/api/media/search", .badRequest, "bad_request"),
                                        ("/api/media/search?q=%22*%20-%20(", .badRequest, "bad_request"),
                                        ("/api/jobs?state=sleeping", .badRequest, "bad_request"),
                                        ("/api/media?page=0", .badRequest, "bad_request"),
                                        ("/api/media?page=two", .badRequest, "bad_request"),
                                        ("/api/media?limit=101", .badRequest, "bad_request"),
                                        ("/api/media?limit=-1", .badRequest, "bad_request"),
                                        ("/api/media?page=99999999999999999999", .badRequest, "bad_request"),
                                        ("/api/jobs/nope", .notFound, "not_found"),
                                        ("/no/such/route", .notFound, "not_found")] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == status, "\(uri)")
                    let error = (try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])?["error"] as? [String: Any]
                    #expect(error?["code"] as? String == code && (error?["message"] as? String)?.isEmpty == false, "\(uri)")
                }
            }
            try await client.execute(uri: "/api/jobs", method: .get) { response in
                let items = (try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])?["items"] as? [[String: Any]]
                #expect(items?.first?["state"] as? String == "succeeded" && items?.first?["inputFolder"] == nil)
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func submittingAJobNeedsTheTokenAndAFileOnTheServer() async throws {
        let file = try Fixtures.temporaryFolder("post").appendingPathComponent("clip.mp4")
        try Data("video".utf8).write(to: file)
        try await test { client in
            let body = ByteBuffer(string: #"{"path": "\#(file.path)", "title": "Clip"}"#)
            try await client.execute(uri: "/api/jobs", method: .post, body: body) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/jobs", method: .post, headers: [.authorization: "Bearer wrong"], body: body) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/api/jobs", method: .post, headers: [.authorization: "Bearer sesame"],
                                     body: ByteBuffer(string: "{not json")) { #expect($0.status == .badRequest) }
            try await client.execute(uri: "/api/jobs", method: .post, headers: [.authorization: "Bearer sesame"],
                                     body: ByteBuffer(string: #"{"path": "/no/such/file.mp4"}"#)) { response in
                #expect(response.status == .unprocessableContent && String(buffer: response.body).contains("no such file"))
            }
            try await client.execute(uri: "/api/jobs", method: .post, headers: [.authorization: "Bearer sesame"],
                                     body: ByteBuffer(repeating: UInt8(ascii: " "), count: 100_000)) { #expect($0.status == .contentTooLarge) }
            // On another file system (tmpfs): refused at once rather than copied while the client waits.
            let elsewhere = URL(fileURLWithPath: "/dev/shm/streamvault-\(UUID().uuidString).mp4")
            try Data("video".utf8).write(to: elsewhere)
            defer { try? FileManager.default.removeItem(at: elsewhere) }
            try await client.execute(uri: "/api/jobs", method: .post, headers: [.authorization: "Bearer sesame"],
                                     body: ByteBuffer(string: #"{"path": "\#(elsewhere.path)"}"#)) { response in
                #expect(response.status == .unprocessableContent && String(buffer: response.body).contains("another file system"))
            }
            try await client.execute(uri: "/api/jobs", method: .post, headers: [.authorization: "Bearer sesame"], body: body) { response in
                #expect(response.status == .created)
                let job = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(job?["state"] as? String == "queued" && job?["source"] as? String == "clip.mp4")
            }
        }
        #expect(try Data(contentsOf: file) == Data("video".utf8))
        #expect(try await catalog.jobs(state: .queued).first?.title == "Clip")
    }

    @Test func oversizedRequestsAreRefusedAndTheServerGoesOn() async throws {
        try await test { client in
            try await client.execute(uri: "/api/media", method: .get,
                                     headers: [HTTPField.Name("X-Padding")!: String(repeating: "a", count: 17 * 1024)]) {
                #expect($0.status == .requestHeaderFieldsTooLarge)
            }
            try await client.execute(uri: "/api/media?q=" + String(repeating: "a", count: 9000), method: .get) {
                #expect($0.status == .uriTooLong)
            }
            try await client.execute(uri: "/healthz", method: .get) { #expect($0.status == .ok) }
        }
    }

    @Test func metricsCountJobsAndRequests() async throws {
        try await test { client in
            try await client.execute(uri: "/healthz", method: .get) { _ in }
            try await client.execute(uri: "/metrics", method: .get) { response in
                let text = String(buffer: response.body)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                #expect(text.contains(#"streamvault_jobs{state="succeeded"} 1"#))
                #expect(text.contains("streamvault_http_requests_total") && text.contains("streamvault_http_request_duration_seconds"))
            }
        }
    }

    @Test func countsAreSaidInGoodEnglish() {
        #expect(WebPages.count(1, "episode") == "1 episode" && WebPages.count(2, "episode") == "2 episodes")
        #expect(WebPages.count(0, "episode") == "0 episodes")
    }

    @Test func pagesListTheCatalogAndPlayATitleNatively() async throws {
        try await test { client in
            try await client.execute(uri: "/", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                #expect(page.contains("&lt;Film&gt; &amp; Co (2020)") && !page.contains("<Film>"))
                #expect(page.contains(#"href="/watch/\#(id)""#) && page.contains(#"<img src="/hls/\#(id)/poster.jpg""#))
                #expect(page.contains(#"<input type="search" name="q""#))
            }
            try await client.execute(uri: "/?q=nothing-like-it", method: .get) { response in
                #expect(String(buffer: response.body).contains("Nothing matches"))
            }
            try await client.execute(uri: "/watch/\(id)", method: .get) { response in
                let page = String(buffer: response.body)
                #expect(page.contains(#"src="/hls/\#(id)/master.m3u8""#) && page.contains(#"poster="/hls/\#(id)/poster.jpg""#))
                #expect(page.contains(#"<track kind="subtitles" src="/hls/\#(id)/subs/en.vtt" srclang="en" label="English">"#))
            }
            try await client.execute(uri: "/watch/nope", method: .get) { #expect($0.status == .notFound) }
        }
    }

    /// A processing title's playlist is read again at each request (it grows by rename).
    @Test func processingPlaylistsAreReadAtEachRequest() async throws {
        let job = Job(source: "Growing (2021).mp4", origin: .ingest, preset: "default", maxAttempts: 3)
        let folder = vault.media(job.mediaId)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try await catalog.enqueue(job)
        try await catalog.publishProcessing(PublishedTitle(
            media: Media(id: job.mediaId, type: .movie, title: "Growing", year: 2021, durationSeconds: 60, digest: "g",
                         source: job.source, hasPoster: false, hasStoryboard: false, status: .processing),
            series: nil, renditions: [], audio: [], subtitles: []))
        try await test { client in
            for version in ["#EXTM3U\n#one\n", "#EXTM3U\n#one\n#two\n", "#EXTM3U\n#one\n#two\n#three\n"] {
                try Self.replace(folder.appendingPathComponent("index.m3u8"), with: version)
                try await client.execute(uri: "/hls/\(job.mediaId)/index.m3u8", method: .get) { response in
                    #expect(String(buffer: response.body) == version && response.headers[.cacheControl] == "no-cache")
                }
            }
        }
    }

    /// A ready title's playlist, final, is answered from memory for `finalMemory` after it
    /// was read from disk, then read again.
    @Test(arguments: [true, false]) func readyPlaylistsAreAnsweredFromMemoryForAWhile(remembered: Bool) throws {
        let files = HLSFileProvider(root: vault.mediaFolder, finalMemory: remembered ? .seconds(3600) : .zero)
        let root = MediaRoot(path: vault.mediaFolder.path)
        let url = "/hls/\(id)/master.m3u8", parts: [Substring] = ["\(id)", "master.m3u8"]
        let first = try #require(root.withFile(parts) { try files.snapshot(url, descriptor: $0, info: $1, isFinal: true) } ?? nil)
        #expect(String(buffer: first.bytes) == master)
        try Self.replace(vault.media(id).appendingPathComponent("master.m3u8"), with: "#EXTM3U\n#replaced by hand\n")
        #expect(files.finalSnapshot(url).map { String(buffer: $0.bytes) } == (remembered ? master : nil))
    }

    /// Replaces a file by rename, as the packager does.
    static func replace(_ url: URL, with text: String) throws {
        let staged = url.deletingLastPathComponent().appendingPathComponent(".staged")
        try Data(text.utf8).write(to: staged)
        #expect(rename(staged.path, url.path) == 0)
    }

    /// Both ways of opening below media/ (one `openat2`, or `lstat` on each component where
    /// the kernel refuses it) take the same files and refuse the same ones.
    @Test(arguments: [true, false]) func onlyRegularFilesReallyBelowMediaAreOpened(resolvingBeneath: Bool) throws {
        let root = MediaRoot(path: vault.mediaFolder.path, resolvingBeneath: resolvingBeneath)
        func size(_ path: String) -> Int? {
            root.withFile(path.split(separator: "/", omittingEmptySubsequences: false)) { Int($1.st_size) }
        }
        #expect(size("\(id)/master.m3u8") == master.utf8.count)
        #expect(size("\(id)/720p/seg_00001.m4s") == segment.count)
        for refused in ["\(id)/720p/escape.m4s", "\(id)/linked/index.m3u8", "\(id)/pipe.m3u8", "\(id)/720p", "\(id)/missing",
                        "\(id)/../../outside.txt", "\(id)/720p/../../../outside.txt"] {
            #expect(size(refused) == nil, "\(refused)")
        }
    }
}

@Suite struct SmallFileCacheTests {
    @Test func theOldestEntriesLeaveWhenTheBudgetIsFull() {
        let cache = SmallFileCache(budget: 10)
        let keys = (0..<4).map { SmallFileCache.Key(path: "/f\($0)", size: 4, modified: 0, isGzip: false) }
        for key in keys { cache[key] = ByteBuffer(repeating: 1, count: 4) }
        #expect(cache[keys[0]] == nil && cache[keys[1]] == nil)
        #expect(cache[keys[2]]?.readableBytes == 4 && cache[keys[3]]?.readableBytes == 4)
        cache[SmallFileCache.Key(path: "/big", size: 11, modified: 0, isGzip: false)] = ByteBuffer(repeating: 1, count: 11)
        #expect(cache[SmallFileCache.Key(path: "/big", size: 11, modified: 0, isGzip: false)] == nil && cache[keys[3]] != nil)
    }
}
