import COpenBeneath
import Glibc

/// `media/`, opened once, and the published files below it. A file is opened only when no
/// component of its path leaves `media/` or is a symbolic link, and used only when it is a
/// regular file (a FIFO is opened without blocking and refused, like a folder). On Linux
/// 5.6+ that is one `openat2` call walking the few components below the open folder; where
/// the kernel or a sandbox refuses `openat2`, `lstat` on each component, then `open` with
/// `O_NOFOLLOW`.
final class MediaRoot: Sendable {
    /// `media/` with every symbolic link resolved.
    let path: String
    /// `media/`, open; -1 where each file is checked by `lstat` instead.
    private let folder: Int32

    /// - Parameter resolvingBeneath: false to check by `lstat` even where `openat2` works (tests).
    init(path: String, resolvingBeneath: Bool = true) {
        if let resolved = realpath(path, nil) {
            self.path = String(cString: resolved)
            free(resolved)
        } else {
            self.path = path
        }
        var folder = resolvingBeneath ? open(self.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1
        if folder >= 0 {
            let probe = sv_open_beneath(folder, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            if probe >= 0 {
                close(probe)
            } else {  // no openat2 here (ENOSYS, or EPERM from a seccomp filter)
                close(folder)
                folder = -1
            }
        }
        self.folder = folder
    }

    deinit {
        if folder >= 0 { close(folder) }
    }

    /// Runs `body` with the regular file `components` name below `media/`, opened for
    /// reading, and its `fstat`; nil (and `body` not run) when there is no such file.
    func withFile<T>(_ components: [Substring], _ body: (Int32, stat) throws -> T) rethrows -> T? {
        let flags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY
        let descriptor = folder >= 0 ? sv_open_beneath(folder, components.joined(separator: "/"), flags)
            : Self.openByWalking(components, below: path, flags: flags)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        return try body(descriptor, info)
    }

    /// `lstat` on every folder on the way (each must be a real folder, no symbolic link, no
    /// `..`), then `open` without following a link at the end.
    private static func openByWalking(_ components: [Substring], below root: String, flags: Int32) -> Int32 {
        guard !components.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) else { return -1 }
        var path = root, info = stat()
        for component in components.dropLast() {
            path += "/" + component
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return -1 }
        }
        return open(path + "/" + (components.last ?? ""), flags | O_NOFOLLOW)
    }
}
