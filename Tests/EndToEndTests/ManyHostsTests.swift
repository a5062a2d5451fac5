import Foundation
import Testing
import TestSupport

/// Several hosts on one vault and one PostgreSQL catalog (SPEC §9): PostgreSQL on one
/// simulated host, a daemon on each of two others (network namespaces), the vault folder
/// shared as NFS would share it.
@Suite(.serialized) struct ManyHostsTests {
    let network: TestNetwork
    let server: PostgresServer
    let catalog: String
    let root: URL
    let daemons: [Daemon]

    init() throws {
        let network = try TestNetwork(hosts: 3)
        var server: PostgresServer?
        do {
            server = try PostgresServer(listen: network.address(of: 0), namespace: network.hosts[0])
            let catalog = try server!.createDatabase(), root = try Fixtures.temporaryFolder("shared-vault")
            daemons = try (1...2).map { host in
                try Daemon(root: root, extra: ["--catalog", catalog, "--node", "host-\(host)", "--lease", "5", "--workers", "1"],
                           host: network.address(of: host), prefix: network.prefix(host))
            }
            (self.network, self.server, self.catalog, self.root) = (network, server!, catalog, root)
        } catch {
            // No test runs, so no tearDown: the hosts and the server go here.
            server?.stop()
            network.tearDown()
            throw error
        }
    }

    func tearDown() {
        for daemon in daemons { daemon.kill9() }
        server.stop()
        network.tearDown()
    }

    /// A clip of `seconds` s of test pattern and tone, distinct for each length.
    static func clip(seconds: Int, size: String = "320x240") throws -> URL {
        let file = try Fixtures.temporaryFolder("clip").appendingPathComponent("Clip \(seconds) (2021).mp4")
        try TestPattern.make(file, seconds: Double(seconds), size: size, gop: 60, tone: 200 + seconds * 10)
        return file
    }

    /// Renames a clip into the shared ingest/ (taken at once, by one daemon).
    func drop(_ clip: URL) throws { try dropIntoIngest(clip, ingest: root.appendingPathComponent("ingest")) }

    func nodes(of job: [String: Any]) -> Set<String> {
        Set((job["chunks"] as? [[String: Any]] ?? []).compactMap { $0["node"] as? String })
    }

    @Test func dropsArePackagedOnceEachAcrossBothHostsAndAnIdleHostStartsWithinASecond() throws {
        defer { tearDown() }
        let clips = try (6...9).map { try Self.clip(seconds: $0) }
        for clip in clips { try drop(clip) }
        let jobs = try daemons[0].waitForJobs(count: 4, timeout: 240)
        #expect(jobs.count == 4 && jobs.allSatisfy { $0["state"] as? String == "succeeded" })
        #expect(Set(jobs.compactMap { $0["source"] as? String }) == Set(clips.map(\.lastPathComponent)))
        let titles = try daemons[1].json("/api/media")["items"] as? [[String: Any]] ?? []
        #expect(titles.count == 4)
        #expect(daemons[0].files(in: "originals").count == 4 && daemons[0].files(in: "failed").isEmpty)
        #expect(daemons[0].files(in: "work").isEmpty && daemons[0].files(in: "ingest").isEmpty)
        var ran = Set<String>()
        for job in jobs {
            let detail = try daemons[0].json("/api/jobs/\(job["id"] as? String ?? "")")
            ran.formUnion(nodes(of: detail))
        }
        #expect(ran == ["host-1", "host-2"], "both hosts ran chunks")

        let listed = try daemons[1].json("/api/nodes")["items"] as? [[String: Any]] ?? []
        #expect(Set(listed.compactMap { $0["node"] as? String }) == ["host-1", "host-2"])
        #expect(Set(listed.compactMap { $0["http"] as? String }) == Set(daemons.map { "\($0.host):\($0.port)" }))
        #expect(listed.allSatisfy { $0["workers"] as? Int == 1 && $0["running"] != nil && $0["lastSeen"] != nil })

        // Both idle: a job submitted from a third machine (the test's own) starts at once.
        let submitted = try runProcess(Fixtures.binary, ["submit", try Self.clip(seconds: 5).path, "--root", root.path,
                                                        "--catalog", catalog, "--json"])
        #expect(submitted.status == 0, "\(submitted.stderr)")
        let id = (try JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8)) as? [String: Any])?["id"] as? String ?? ""
        // Timed here, not from the job's createdAt/startedAt: those are whole seconds, and a
        // start 0.1 s after a submission across a second's boundary reads as 1 s.
        let queued = ContinuousClock.now
        try waitUntil(timeout: 10) { try daemons[0].json("/api/jobs/\(id)")["startedAt"] is String }
        let waited = ContinuousClock.now - queued
        #expect(waited < .seconds(1), "started \(waited) after submission")
    }

    /// An AES-128 title chunked across both hosts: every chunk, whichever host packaged it,
    /// is encrypted with the title's one key (from the shared catalog), so the whole title
    /// decrypts and decodes.
    @Test func anEncryptedTitleChunkedAcrossBothHostsPlaysWithItsOneKey() throws {
        defer { tearDown() }
        let clip = try Self.clip(seconds: 40, size: "640x360")
        let submitted = try runProcess(Fixtures.binary, ["submit", clip.path, "--preset", try EncryptedPlaybackTests.preset().path,
                                                        "--root", root.path, "--catalog", catalog, "--wait", "--json"])
        try #require(submitted.status == 0, "\(submitted.stderr)")
        let job = try #require(try JSONSerialization.jsonObject(with: Data(submitted.stdout.utf8)) as? [String: Any])
        let detail = try daemons[0].json("/api/jobs/\(job["id"] as? String ?? "")")
        #expect(nodes(of: detail) == ["host-1", "host-2"], "both hosts packaged chunks: \(detail)")
        let id = try #require(job["mediaId"] as? String)
        let playlist = String(decoding: try daemons[1].get("/hls/\(id)/360p/index.m3u8").body, as: UTF8.self)
        #expect(playlist.contains("#EXT-X-KEY:METHOD=AES-128,URI=\"/keys/\(id)\""), "\(playlist)")
        let url = "http://\(daemons[1].host):\(daemons[1].port)/hls/\(id)/360p/index.m3u8"
        let streams = try FFprobe.json(["-count_frames", "-show_streams", url])["streams"] as? [[String: Any]] ?? []
        #expect(streams.first?.string("nb_read_frames") == "1200", "40 s at 30 fps: \(streams)")
    }

    @Test func whenPostgreSQLIsLostHealthSaysSoAndTheDaemonsCarryOnOnceItIsBack() throws {
        defer { tearDown() }
        server.stop(keepingData: true)
        for daemon in daemons {
            try waitUntil(timeout: 15) { (try? daemon.get("/healthz").status) == 503 }
        }
        try drop(try Self.clip(seconds: 6))  // taken while the catalog is away: waits in ingest/
        try server.start()
        for daemon in daemons {
            try waitUntil(timeout: 15) { (try? daemon.get("/healthz").status) == 200 }
        }
        let jobs = try daemons[0].waitForJobs(count: 1, timeout: 120)
        #expect(jobs.count == 1 && jobs.first?["state"] as? String == "succeeded")
        #expect(daemons[0].files(in: "originals").count == 1 && daemons[0].files(in: "ingest").isEmpty)
    }

    @Test func whenPostgreSQLIsLostMidTitleTheStoppedTasksRunAgainOnceItIsBack() throws {
        defer { tearDown() }
        try drop(try Self.clip(seconds: 40, size: "1280x720"))
        var title = "", jobID = "", first = Int.max
        func running() throws -> [Int] {
            (try daemons[0].json("/api/jobs/\(jobID)")["chunks"] as? [[String: Any]] ?? [])
                .filter { $0["state"] as? String == "running" }.compactMap { $0["index"] as? Int }
        }
        try waitUntil(timeout: 60) {
            guard let job = try daemons[0].jobs().first, let id = job["id"] as? String,
                  try daemons[0].get("/hls/\(job["mediaId"] as? String ?? "")/master.m3u8").status == 200 else { return false }
            (title, jobID) = (job["mediaId"] as? String ?? "", id)
            first = try running().min() ?? .max
            return first != .max
        }
        // A chunk that has just started, so that it still runs once the leases have lapsed
        // (on a fast machine the first running chunk may end within the lease).
        try waitUntil(timeout: 60) { try running().contains { $0 > first } }
        let early = try daemons[0].get("/hls/\(title)/360p/seg_00001.m4s")
        #expect(early.status == 200)
        // Lost for longer than the leases (5 s): the daemons stop their workers. Nothing of
        // the playable title may go meanwhile; once it is back, the stopped tasks run again.
        server.stop(keepingData: true)
        try waitUntil(timeout: 30) { daemons.contains { $0.logText.contains("leases not renewed") } }
        sleep(3)
        #expect(FileManager.default.fileExists(atPath: root.appendingPathComponent("media/\(title)/master.m3u8").path))
        try server.start()
        let jobs = try daemons[0].waitForJobs(count: 1, timeout: 240)
        #expect(jobs.first?["state"] as? String == "succeeded", "\(jobs)")
        let chunks = try daemons[0].json("/api/jobs/\(jobID)")["chunks"] as? [[String: Any]] ?? []
        #expect(!chunks.isEmpty && chunks.allSatisfy { $0["state"] as? String == "done" }, "\(chunks)")
        #expect(try daemons[1].json("/api/media/\(title)")["status"] as? String == "ready")
        let late = try daemons[1].get("/hls/\(title)/360p/seg_00001.m4s")
        #expect(late.status == 200 && late.body == early.body, "a listed segment never changes")
    }

    @Test func whenAHostDiesTheOtherFinishesItsJobOnceItsLeasesExpire() throws {
        defer { tearDown() }
        try drop(try Self.clip(seconds: 40, size: "640x360"))
        // Wait until a chunk runs, then cut the power of the host that runs it.
        var victim = -1
        var jobID = ""
        try waitUntil(timeout: 60) {
            guard let job = try daemons[0].jobs().first, let id = job["id"] as? String else { return false }
            jobID = id
            let chunks = try daemons[0].json("/api/jobs/\(id)")["chunks"] as? [[String: Any]] ?? []
            guard let node = chunks.first(where: { $0["state"] as? String == "running" && ($0["index"] as? Int ?? 0) > 0 })?["node"] as? String
            else { return false }
            victim = node == "host-1" ? 1 : 2
            return true
        }
        try network.killEverything(on: victim)
        let survivor = daemons[victim == 1 ? 1 : 0]
        var job: [String: Any] = [:]
        try waitUntil(timeout: 240) {
            job = try survivor.json("/api/jobs/\(jobID)")
            return job["state"] as? String == "succeeded"
        }
        let chunks = job["chunks"] as? [[String: Any]] ?? []
        #expect(chunks.allSatisfy { $0["state"] as? String == "done" })
        #expect(chunks.contains { ($0["attempts"] as? Int ?? 0) >= 2 }, "the chunk cut off ran again")
        let titles = try survivor.json("/api/media")["items"] as? [[String: Any]] ?? []
        #expect(titles.count == 1 && titles.first?["status"] as? String == "ready")
        // The job's folder goes just after the catalog records the title.
        try? waitUntil(timeout: 10) { survivor.files(in: "work").isEmpty }
        #expect(survivor.files(in: "work").isEmpty, "work/ is clean: \(survivor.files(in: "work"))")
        #expect(survivor.files(in: "originals").count == 1)
        let id = titles.first?["id"] as? String ?? ""
        let playlist = String(decoding: try survivor.get("/hls/\(id)/master.m3u8").body, as: UTF8.self)
        #expect(playlist.contains("#EXT-X-STREAM-INF"))
    }
}
