import Foundation
import Glibc

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
