import Foundation
import Testing
import TestSupport

/// A download folder's worth of broken files dropped at once (SPEC §11), generated the same
/// way every run: the daemon answers throughout, every regular file ends byte-identical in
/// `originals/` or `failed/`, what must fail fails in words, and what is not a regular file
/// stays where it is.
@Suite struct HostileCorpusTests {
    /// The corpus: file name → contents, made from a 2 s 320x240 clip with a tone.
    static func corpus(in folder: URL) throws -> [String: Data] {
        let ffmpeg = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        func make(_ name: String, _ arguments: [String]) throws -> Data {
            let file = folder.appendingPathComponent(name)
            let made = try runProcess(ffmpeg, ["-v", "error", "-y"] + arguments + [file.path])
            guard made.status == 0 else { throw PostgresServerError(description: made.stderr) }
            return try Data(contentsOf: file)
        }
        func made(_ name: String, _ write: (URL) throws -> Void) throws -> Data {
            try write(folder.appendingPathComponent(name))
            return try Data(contentsOf: folder.appendingPathComponent(name))
        }
        let clip = TestPattern.arguments(seconds: 2, size: "320x240", rate: 25, gop: 25, tone: 500)
        let mp4 = try make("base.mp4", clip)
        let faststart = try make("base-fast.mp4", clip + ["-movflags", "+faststart"])
        let mkv = try make("base.mkv", clip)
        let ts = try make("base.ts", clip)
        let oneFrame = try make("one.mp4", ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-frames:v", "1", "-c:v", "libx264"])
        let wide = try made("wide.png", OverLimitSource.wideImage)
        let small = try make("small.png", ["-f", "lavfi", "-i", "color=s=64x64", "-frames:v", "1", "-c:v", "png", "-f", "image2"])
        let dayLong = try made("day.mp4", OverLimitSource.framesADayApart)
        var random = SeededGenerator(seed: 42)
        func noise(_ count: Int) -> Data { Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }) }
        func flipped(_ data: Data, every: Int) -> Data {
            var bytes = [UInt8](data)
            for _ in 0..<max(1, bytes.count / every) { bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= 0x10 }
            return Data(bytes)
        }
        func cut(_ data: Data, _ fraction: Double) -> Data { data.prefix(Int(Double(data.count) * fraction)) }
        var files: [String: Data] = [
            "empty.mp4": Data(), "one byte.mkv": Data([0x1A]), "tiny.ts": Data([0x47, 0x40, 0x00]),
            "notes.mp4": Data("just some notes\n".utf8), "page.mkv": Data("<!doctype html><title>404</title>".utf8),
            "data.mov": Data(#"{"error": "not found"}"#.utf8), "photo.mp4": small, "wide image.mp4": wide,
            "a day apart.mp4": dayLong, "one frame.mp4": oneFrame,
            "broken box size.mp4": { var b = [UInt8](faststart); b[0...3] = [0xFF, 0xFF, 0xFF, 0xF0]; return Data(b) }(),
            "broken ebml size.mkv": { var b = [UInt8](mkv); b[4] = 0x01; b[5...11] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]; return Data(b) }(),
            "-leading dash.mp4": mp4, "back\\slash.mkv": mkv, "new\nline.ts": ts,
            String(repeating: "long name ", count: 23) + ".mp4": faststart,  // 234 bytes
        ]
        for ext in ["mp4", "mkv", "ts", "avi", "mov", "webm", "m4a"] { files["noise \(ext).\(ext)"] = noise(50_000) }
        for (name, data) in [("mp4", mp4), ("fast.mp4", faststart), ("mkv", mkv), ("ts", ts)] {
            for fraction in [0.1, 0.5, 0.9] { files["cut \(Int(fraction * 100)) \(name).\(name.split(separator: ".").last!)"] = cut(data, fraction) }
            for rate in [100_000, 1000] { files["flip \(rate) \(name).\(name.split(separator: ".").last!)"] = flipped(data, every: rate) }
        }
        return files
    }

    @Test func aFolderOfBrokenFilesLeavesTheDaemonStandingAndNothingLost() throws {
        let daemon = try Daemon(extra: ["--retry-delay", "0.2", "--workers", "1"])
        let work = try Fixtures.temporaryFolder("corpus")
        let corpus = try Self.corpus(in: work)
        #expect(corpus.count >= 40, "\(corpus.count) files")
        // Written elsewhere, then renamed in: all arrive at once.
        for (name, data) in corpus {
            let staged = work.appendingPathComponent("staged-\(UUID().uuidString)")
            try data.write(to: staged)
            try FileManager.default.moveItem(at: staged, to: daemon.ingest.appendingPathComponent(name))
        }
        // A name that is not UTF-8, a link to a file outside the vault, a FIFO, a file still growing.
        let latin1 = (daemon.ingest.path + "/caf").utf8CString.dropLast().map { $0 } + [CChar(bitPattern: 0xE9), 0x2E, 0x6D, 0x6B, 0x76, 0]
        try (corpus["cut 90 mkv.mkv"] ?? Data()).write(to: work.appendingPathComponent("latin1"))
        #expect(rename(work.appendingPathComponent("latin1").path, latin1) == 0)
        let outside = work.appendingPathComponent("outside.mp4")
        try corpus["-leading dash.mp4"]!.write(to: outside)
        try FileManager.default.createSymbolicLink(at: daemon.ingest.appendingPathComponent("link.mp4"), withDestinationURL: outside)
        #expect(mkfifo(daemon.ingest.appendingPathComponent("pipe.mp4").path, 0o644) == 0)
        let growing = daemon.ingest.appendingPathComponent("growing.ts")
        let tsData = try Data(contentsOf: work.appendingPathComponent("base.ts"))
        FileManager.default.createFile(atPath: growing.path, contents: nil)
        let writer = try FileHandle(forWritingTo: growing)
        for piece in stride(from: 0, to: tsData.count, by: tsData.count / 6) {
            writer.write(tsData[piece..<min(tsData.count, piece + tsData.count / 6)])
            #expect(try daemon.get("/healthz").status == 200)
            usleep(400_000)
        }
        try writer.close()

        let expected = corpus.count + 2  // the Latin-1 name and the grown file
        var jobs: [[String: Any]] = []
        try waitUntil(timeout: 300) {
            #expect(try daemon.get("/healthz").status == 200)
            jobs = try daemon.jobs()
            return jobs.count >= expected && jobs.allSatisfy { !["queued", "running"].contains($0["state"] as? String ?? "") }
        }
        #expect(jobs.count == expected, "\(jobs.count) jobs")
        // Every regular file is kept, byte for byte, in originals/ or failed/.
        var kept: [Data] = []
        for folder in ["originals", "failed"] {
            let root = daemon.root.appendingPathComponent(folder)
            for path in FileManager.default.subpaths(atPath: root.path) ?? [] where !path.hasSuffix(".error.txt") {
                var isFolder: ObjCBool = false
                if FileManager.default.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isFolder), !isFolder.boolValue {
                    kept.append(try Data(contentsOf: root.appendingPathComponent(path)))
                }
            }
        }
        for (name, data) in corpus {
            #expect(kept.contains(data), "\(name) was not kept")
        }
        #expect(kept.contains(tsData), "the grown file was not kept whole")
        // Counted by find(1): Foundation cannot name the Latin-1 file.
        let found = try runProcess(URL(fileURLWithPath: "/usr/bin/find"), [
            daemon.root.appendingPathComponent("originals").path, daemon.root.appendingPathComponent("failed").path,
            "-type", "f", "!", "-name", "*.error.txt", "-print0"])
        #expect(found.stdout.split(separator: "\0").count == expected, "\(found.stdout.split(separator: "\0").count) files kept")
        // Errors in words: no bare errno, no libav error number.
        for job in jobs where job["state"] as? String == "failed" {
            let error = job["error"] as? String ?? ""
            #expect(!error.isEmpty && !error.contains("Operation not permitted") && !error.contains("Error number"), "\(error)")
        }
        let failed = Dictionary(uniqueKeysWithValues: jobs.map { ($0["source"] as? String ?? "", $0["error"] as? String ?? "") })
        #expect(failed["empty.mp4"] == "empty.mp4: empty file (0 bytes)", "errors name the file as it was dropped")
        #expect(failed["notes.mp4"]?.contains("not a media file") == true)
        #expect(failed["wide image.mp4"]?.contains("the limit is 8192 pixels a side") == true)
        #expect(failed["a day apart.mp4"]?.contains("the limit is 24 hours") == true)
        #expect(failed["caf\\xE9.mkv"] != nil, "the Latin-1 name was taken")
        #expect(jobs.contains { $0["source"] as? String == "flip 100000 mp4.mp4" && $0["state"] as? String == "succeeded" })
        #expect(jobs.contains { $0["source"] as? String == "one frame.mp4" && $0["state"] as? String == "succeeded" }, "a 0.04 s title")
        // What is not a regular file stayed, untouched.
        #expect(daemon.files(in: "ingest") == ["link.mp4", "pipe.mp4"])
        #expect(daemon.logText.components(separatedBy: "ingest/pipe.mp4 is a FIFO").count == 2, "logged once")
        #expect(daemon.files(in: "work").isEmpty)
    }
}

/// SplitMix64: the same corpus every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
