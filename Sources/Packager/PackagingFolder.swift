import Foundation
import Glibc

/// A job's scratch folder (`work/<job>/`) as the pieces of a title's packaging leave
/// things there for each other: the plan, each chunk's staging folder and result, the
/// tracks task's staging folder and manifest, the storyboard tiles. Nothing here is served.
public struct PackagingFolder: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root }

    public var plan: URL { root.appendingPathComponent("plan.json") }
    public var trackManifest: URL { root.appendingPathComponent("tracks.json") }
    public var trackStaging: URL { root.appendingPathComponent("tracks", isDirectory: true) }
    public var tiles: URL { root.appendingPathComponent("tiles", isDirectory: true) }
    public func chunkStaging(_ index: Int) -> URL { root.appendingPathComponent("chunk-\(index)", isDirectory: true) }
    public func chunkResult(_ index: Int) -> URL { root.appendingPathComponent("chunk-\(index).json") }
}

/// Moving finished files into a title: by rename, so a reader sees a whole file or none.
enum FileTransfer {
    /// Renames `source` to `target`, replacing it.
    static func rename(_ source: URL, to target: URL) throws {
        guard Glibc.rename(source.path, target.path) == 0 else { throw Self.error(source) }
    }

    /// Moves `source` to `target` unless `target` exists, which is then kept unchanged (a
    /// published file never changes); `source` goes either way.
    static func placeOnce(_ source: URL, at target: URL) throws {
        defer { unlink(source.path) }
        guard link(source.path, target.path) == 0 || errno == EEXIST else { throw Self.error(source) }
    }

    private static func error(_ url: URL) -> PackagingError {
        PackagingError(file: url.path, cause: .failed(String(cString: strerror(errno))))
    }
}
