import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TestSupport

/// A real `streamvault serve` on a temporary vault, talked to over HTTP and with the CLI.
final class Daemon: @unchecked Sendable {
    let root: URL
    let host: String
    let port: Int
    /// Run before the binary: `ip netns exec HOST` for a daemon on a simulated host.
    let prefix: [String]
    private(set) var process: Process?
    private let log: URL

    /// Starts a daemon on `root` (a new temporary vault by default), serving HTTP on `host`.
    init(root: URL? = nil, settle: Double = 1, extra: [String] = [], host: String = "127.0.0.1", prefix: [String] = []) throws {
        self.root = try root ?? Fixtures.temporaryFolder("vault")
        self.host = host
        self.prefix = prefix
        port = Int.random(in: 20_000...60_000)
        log = self.root.appendingPathComponent("daemon-\(host)-\(port).log")
        try start(settle: settle, extra: extra)
    }

    func start(settle: Double = 1, extra: [String] = []) throws {
        let process = Process()
        let command = prefix + [Fixtures.binary.path, "serve", "--root", root.path, "--http", "\(host):\(port)",
                                "--settle", String(settle), "--preset", "preview", "--log-level", "info"] + extra
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        process.currentDirectoryURL = Fixtures.repository
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        handle.seekToEndOfFile()
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        var last = "no answer yet"
        try waitUntil(timeout: 30, seen: { "/healthz of \(host):\(port): \(last)\n--- daemon log ---\n\(logText.suffix(6000))" }) {
            do {
                let status = try self.get("/healthz").status
                last = "status \(status)"
                return status == 200
            } catch {
                last = "\(error)"
                return false
            }
        }
    }

    var ingest: URL { root.appendingPathComponent("ingest") }
    var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// SIGTERM and wait for the exit status; a daemon that has not stopped within 60 s is
    /// killed, and that is a failure of the test.
    @discardableResult
    func stop() -> Int32 {
        guard let process, process.isRunning else { return process?.terminationStatus ?? 0 }
        process.terminate()
        if !process.waitForExit(timeout: 60) {
            Issue.record("the daemon on port \(port) did not stop within 60 s of SIGTERM\n--- daemon log ---\n\(logText.suffix(6000))")
        }
        return process.terminationStatus
    }

    /// SIGKILL: no chance to clean anything.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitForExit(timeout: 60)
    }

    deinit { stop() }

    func get(_ path: String, headers: [String: String] = [:]) throws -> (status: Int, body: Data, headers: [String: String]) {
        try request("GET", path, headers: headers)
    }

    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil) throws
        -> (status: Int, body: Data, headers: [String: String]) {
        var request = URLRequest(url: URL(string: "http://\(host):\(port)\(path)")!)
        request.timeoutInterval = 20  // a lost connection fails a wait's poll, not the whole wait
        request.httpMethod = method
        request.httpBody = body
        for (key, value) in headers { request.setValue(value, forHTTPHeaderField: key) }
        let result = LockedResult()
        let done = DispatchSemaphore(value: 0)
        URLSession.shared.dataTask(with: request) { data, response, error in
            result.value = (data, response as? HTTPURLResponse, error)
            done.signal()
        }.resume()
        done.wait()
        guard let (data, response, error) = result.value, let response else { throw result.value?.2 ?? URLError(.badServerResponse) }
        _ = error
        let fields = response.allHeaderFields.reduce(into: [String: String]()) { $0["\($1.key)".lowercased()] = "\($1.value)" }
        return (response.statusCode, data ?? Data(), fields)
    }

    func json(_ path: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: get(path).body) as? [String: Any] ?? [:]
    }

    /// Runs the CLI against this vault.
    func cli(_ arguments: String...) throws -> ProcessOutput {
        try runProcess(Fixtures.binary, arguments + ["--root", root.path], currentDirectory: Fixtures.repository)
    }

    /// Every job, newest first.
    func jobs() throws -> [[String: Any]] { try json("/api/jobs")["items"] as? [[String: Any]] ?? [] }

    /// Waits until `count` jobs have ended and their work folders have gone (a job's folder
    /// goes just after the catalog records its end, or once its last stopped task exits).
    func waitForJobs(count: Int, timeout: Double = 60) throws -> [[String: Any]] {
        var jobs: [[String: Any]] = []
        try waitUntil(timeout: timeout, seen: { "jobs \(jobs), work/ \(files(in: "work"))\n--- daemon log ---\n\(logText.suffix(6000))" }) {
            jobs = try self.jobs()
            return jobs.count >= count && jobs.allSatisfy { !["queued", "running"].contains($0["state"] as? String ?? "") }
                && self.files(in: "work").isEmpty
        }
        return jobs
    }

    func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []).sorted()
    }
}

final class LockedResult: @unchecked Sendable {
    var value: (Data?, HTTPURLResponse?, Error?)?
}

/// A wait that timed out, with what was seen last, if the waiter said (so the test's
/// failure says why).
struct TimedOut: Error, CustomStringConvertible {
    let seconds: Double
    var seen = ""
    var description: String { "condition not met within \(seconds) s" + (seen.isEmpty ? "" : "; seen: \(seen)") }
}

/// Polls `condition` every 200 ms until it holds or `timeout` seconds pass; `seen` tells
/// the failure what was seen last.
func waitUntil(timeout: Double, seen: () -> String = { "" }, _ condition: () throws -> Bool) throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if (try? condition()) == true { return }
        usleep(200_000)
    }
    throw TimedOut(seconds: timeout, seen: seen())
}
