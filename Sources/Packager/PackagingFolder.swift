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
/// Across file systems (`work/` and `media/` mounted apart) a file is copied to a hidden
/// name beside its target first, then renamed.
enum FileTransfer {
    /// Renames `source` to `target`, replacing it.
    static func rename(_ source: URL, to target: URL) throws {
        if Glibc.rename(source.path, target.path) == 0 { return }
        guard errno == EXDEV else { throw Self.error(source) }
        let copy = try copyBeside(source, target)
        guard Glibc.rename(copy.path, target.path) == 0 else { throw Self.error(target) }
        unlink(source.path)
    }

    /// Moves `source` to `target` unless `target` exists, which is then kept unchanged (a
    /// published file never changes); `source` goes either way.
    static func placeOnce(_ source: URL, at target: URL) throws {
        defer { unlink(source.path) }
        if link(source.path, target.path) == 0 || errno == EEXIST { return }
        guard errno == EXDEV else { throw Self.error(source) }
        let copy = try copyBeside(source, target)
        defer { unlink(copy.path) }
        guard link(copy.path, target.path) == 0 || errno == EEXIST else { throw Self.error(target) }
    }

    /// A copy of `source` in `target`'s folder under a hidden temporary name.
    private static func copyBeside(_ source: URL, _ target: URL) throws -> URL {
        let copy = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).copy-\(getpid())")
        unlink(copy.path)
        do {
            try FileManager.default.copyItem(at: source, to: copy)
        } catch {
            unlink(copy.path)
            throw PackagingError(file: target.path, cause: .failed(ErrorWords.describe(error)))
        }
        return copy
    }

    private static func error(_ url: URL) -> PackagingError {
        PackagingError(file: url.path, cause: .failed(String(cString: strerror(errno))))
    }
}

/// An error in the words a user reads: a file system error as its path and the system's
/// reason ("…/poster.jpg: No space left on device"), not Foundation's domain and code.
public enum ErrorWords {
    public static func describe(_ error: Error) -> String {
        if let error = error as? PackagingError { return error.description }
        var path: String?, code: Int32?
        if let error = error as? CocoaError {
            path = error.filePath ?? error.url?.path
            code = (error.underlying as? POSIXError)?.code.rawValue ?? (error.underlying as? NSError).flatMap {
                $0.domain == NSPOSIXErrorDomain ? Int32($0.code) : nil
            }
        } else if let error = error as? POSIXError {
            code = error.code.rawValue
        }
        guard let code else { return "\(error)" }
        let reason = String(cString: strerror(code))
        return path.map { "\($0): \(reason)" } ?? reason
    }
}
