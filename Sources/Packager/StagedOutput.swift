import Foundation

/// An output folder built under a hidden temporary name beside its final place and
/// renamed into place only when complete, so nobody ever sees a half-written title.
struct StagedOutput: Sendable {
    let destination: URL
    /// Where the work happens: `.<name>.partial-<pid>` beside `destination`.
    let staging: URL

    /// Claims a staging folder for `destination`, removing stale ones whose process is gone.
    init(destination: URL) throws {
        self.destination = destination.standardizedFileURL
        let parent = self.destination.deletingLastPathComponent()
        let prefix = ".\(self.destination.lastPathComponent).partial-"
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        Self.removeStale(prefix: prefix, in: parent)
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: self.destination.path), !contents.isEmpty {
            throw PackagingError(file: self.destination.path, cause: .outputExists(self.destination.path))
        }
        staging = parent.appendingPathComponent("\(prefix)\(getpid())", isDirectory: true)
        try? FileManager.default.removeItem(at: staging)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: false)
    }

    /// Removes the folders `<prefix><pid>` in `parent` whose process is gone (killed runs).
    static func removeStale(prefix: String, in parent: URL) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? [] where entry.hasPrefix(prefix) {
            if let pid = Int32(entry.dropFirst(prefix.count)), kill(pid, 0) != 0, errno == ESRCH {
                try? FileManager.default.removeItem(at: parent.appendingPathComponent(entry))
            }
        }
    }

    /// Renames the staging folder to the destination (replacing an empty folder there).
    func commit() throws {
        try? FileManager.default.removeItem(at: destination)  // only ever an empty folder here
        try FileManager.default.moveItem(at: staging, to: destination)
    }

    /// Removes the staging folder and everything in it.
    func discard() {
        try? FileManager.default.removeItem(at: staging)
    }
}
