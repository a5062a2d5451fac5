import Foundation

/// Paths the tests share: the repository, its samples, scratch folders, the built binary.
public enum Fixtures {
    /// The repository checkout (three levels above this file).
    public static let repository = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    public static func sample(_ name: String) -> URL {
        repository.appendingPathComponent("samples/\(name)")
    }

    public static var presetsFolder: URL { repository.appendingPathComponent("presets") }

    /// The `streamvault` executable built beside the test bundle.
    public static var binary: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("streamvault")
    }

    /// A new empty folder under the system's temporary directory.
    public static func temporaryFolder(_ label: String = "test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("streamvault-\(label)-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// What a finished child process said.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs `executable` with `arguments` to the end and returns its exit status and output.
public func runProcess(_ executable: URL, _ arguments: [String], currentDirectory: URL? = nil) throws -> ProcessOutput {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let currentDirectory { process.currentDirectoryURL = currentDirectory }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting so a chatty child never blocks on a full pipe.
    let errData = LockedData()
    let errRead = DispatchSemaphore(value: 0)
    Thread {
        errData.set(err.fileHandleForReading.readDataToEndOfFile())
        errRead.signal()
    }.start()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    guard process.waitForExit(timeout: 60) else {
        throw ProcessStillWriting(command: "\(executable.lastPathComponent) \(arguments.joined(separator: " "))", what: "kept running")
    }
    // A grandchild that inherited the pipe could hold it open for ever.
    guard errRead.wait(timeout: .now() + 60) == .success else {
        throw ProcessStillWriting(command: "\(executable.lastPathComponent) \(arguments.joined(separator: " "))",
                                  what: "its standard error was still open")
    }
    return ProcessOutput(status: process.terminationStatus,
                         stdout: String(decoding: outData, as: UTF8.self),
                         stderr: String(decoding: errData.value, as: UTF8.self))
}

/// A process that closed its standard output but did not end, or ended while its standard
/// error stayed open (something it started holds it).
public struct ProcessStillWriting: Error, CustomStringConvertible {
    public let command: String
    public let what: String
    public var description: String { "\(command): closed its output, but \(what) 60 s later" }
}

extension Process {
    /// Waits until the process has ended, polling every 10 ms (Foundation's `waitUntilExit`
    /// spins a core on Linux); after `timeout` seconds it is killed (SIGKILL) and false returned.
    @discardableResult
    public func waitForExit(timeout: Double) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while isRunning {
            guard Date() < deadline else {
                kill(processIdentifier, SIGKILL)
                while isRunning { usleep(10_000) }
                return false
            }
            usleep(10_000)
        }
        return true
    }
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data: Data?
    func set(_ value: Data) { lock.withLock { data = value } }
    var value: Data { lock.withLock { data ?? Data() } }
}

/// The `ffprobe` program, used only as an independent second opinion on what we wrote.
public enum FFprobe {
    public static let executable = URL(fileURLWithPath: "/usr/bin/ffprobe")

    /// ffprobe's JSON output for `arguments` (`-of json` is added).
    public static func json(_ arguments: [String]) throws -> [String: Any] {
        let output = try runProcess(executable, ["-v", "error", "-of", "json"] + arguments)
        guard output.status == 0,
              let object = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] else {
            throw ProbeFailure(message: "ffprobe \(arguments.joined(separator: " ")): \(output.stderr)")
        }
        return object
    }

    /// The streams of `url` as ffprobe sees them.
    public static func streams(_ url: URL, extra: [String] = []) throws -> [[String: Any]] {
        try json(["-show_streams"] + extra + [url.isFileURL ? url.path : url.absoluteString])["streams"] as? [[String: Any]] ?? []
    }

    /// Every video frame of `url`: presentation time (s), picture type, and any tags the
    /// given lavfi filter adds (e.g. signalstats).
    public static func frames(_ url: URL, entries: String = "frame=pts_time,pict_type") throws -> [[String: Any]] {
        try json(["-show_entries", entries, url.path])["frames"] as? [[String: Any]] ?? []
    }

    /// Frames of a lavfi graph (`movie=…,signalstats`), with the graph's tags.
    public static func filteredFrames(_ graph: String, entries: String) throws -> [[String: Any]] {
        try json(["-f", "lavfi", "-i", graph, "-show_entries", entries])["frames"] as? [[String: Any]] ?? []
    }

    public struct ProbeFailure: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
    }
}

extension Dictionary where Key == String, Value == Any {
    /// A numeric field that ffprobe may print as a number or a string.
    public func number(_ key: String) -> Double? {
        if let value = self[key] as? Double { return value }
        if let value = self[key] as? Int { return Double(value) }
        if let value = self[key] as? String { return Double(value) }
        return nil
    }

    public func string(_ key: String) -> String? { self[key] as? String }
}
