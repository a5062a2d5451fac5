import Glibc
import Foundation
import Logging
import Synchronization

/// The key set of `serve --playback-keys FILE`, read again when the file changes (key
/// rotation without a restart, SPEC §12). A file that cannot be read at start is an error
/// naming it; later, the last good set stays and the log says why.
public final class PlaybackKeys: Sendable {
    public let file: URL
    private let logger: Logger
    /// The set, its generation (bumped at each change, so remembered tokens are checked
    /// again) and the file's identity when it was read.
    private let state: Mutex<(set: PlaybackKeySet, generation: Int, version: FileVersion?)>

    /// Reads `file`; throws a message naming it when it is missing or not a usable key set.
    public init(file: URL, logger: Logger) async throws(PlaybackKeySet.Problem) {
        self.file = file
        self.logger = logger
        let version = FileVersion(file)
        state = Mutex((try await Self.read(file), 0, version))
    }

    /// The current set and its generation.
    func current() -> (PlaybackKeySet, Int) { state.withLock { ($0.set, $0.generation) } }

    /// Reads the file again when its size, time or inode changed; keeps the last good set
    /// (and logs why) when the new one cannot be used. Returns whether the set changed.
    @discardableResult
    public func reloadIfChanged() async -> Bool {
        let version = FileVersion(file)
        guard version != state.withLock({ $0.version }) else { return false }
        do {
            let set = try await Self.read(file)
            state.withLock { $0 = (set, $0.generation + 1, version) }
            logger.info("playback keys read again", metadata: ["file": "\(file.path)", "kids": "\(set.keyIDs.joined(separator: ","))"])
            return true
        } catch {
            state.withLock { $0.version = version }  // said once, not at every look
            logger.error("playback keys not changed: \(error)", metadata: ["file": "\(file.path)"])
            return false
        }
    }

    /// Looks at the file every `interval` until cancelled.
    public func watch(every interval: Duration = .seconds(1)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            await reloadIfChanged()
        }
    }

    private static func read(_ file: URL) async throws(PlaybackKeySet.Problem) -> PlaybackKeySet {
        let data: Data
        do { data = try Data(contentsOf: file) } catch {
            throw .init("\(file.path): cannot be read (\((error as NSError).localizedDescription))")
        }
        do { return try await PlaybackKeySet(json: data) } catch {
            throw .init("\(file.path): \(error.description)")
        }
    }
}

/// A file's size, modification time and inode: what changes when it is rewritten or replaced.
struct FileVersion: Equatable {
    let size: Int64
    let modified: timespec
    let inode: UInt64

    init?(_ file: URL) {
        var info = stat()
        guard stat(file.path, &info) == 0 else { return nil }
        size = Int64(info.st_size)
        modified = info.st_mtim
        inode = UInt64(info.st_ino)
    }

    static func == (a: FileVersion, b: FileVersion) -> Bool {
        a.size == b.size && a.inode == b.inode && a.modified.tv_sec == b.modified.tv_sec && a.modified.tv_nsec == b.modified.tv_nsec
    }
}
