import Foundation
import Glibc

/// Wakes its reader when something is written, moved in or created under a folder
/// (inotify: close-write, moved-to, create; new sub-folders are watched too). Events can be
/// missed (queue overflow, a folder made before its watch), so readers also rescan on a timer.
final class FolderWatcher: Sendable {
    private let watches: Watches
    /// One element per batch of events: the names renamed into the folder itself in it
    /// (complete the moment they appear); ends when the watcher goes away.
    let changes: AsyncStream<Set<String>>

    init(folder: URL) throws {
        let descriptor = inotify_init1(Int32(IN_CLOEXEC))
        guard descriptor >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        let watches = Watches(descriptor: descriptor)
        self.watches = watches
        let (stream, continuation) = AsyncStream.makeStream(of: Set<String>.self)
        changes = stream
        let top = watches.addTree(folder.path)
        Thread {
            let size = 64 * 1024
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
            defer { buffer.deallocate() }
            while true {
                let count = read(descriptor, buffer, size)
                if count <= 0 { break }
                var offset = 0
                var movedIn = Set<String>()
                while offset < count {
                    let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                    let name = event.len > 0
                        ? String(cString: (buffer + offset + MemoryLayout<inotify_event>.size).assumingMemoryBound(to: CChar.self)) : ""
                    if event.mask & UInt32(IN_ISDIR) != 0, event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, !name.isEmpty {
                        if let parent = watches.path(of: event.wd) { watches.addTree(parent + "/" + name) }
                    }
                    if event.wd == top, event.mask & UInt32(IN_MOVED_TO) != 0, !name.isEmpty { movedIn.insert(name) }
                    offset += MemoryLayout<inotify_event>.size + Int(event.len)
                }
                continuation.yield(movedIn)
            }
            continuation.finish()
        }.start()
    }

    deinit { close(watches.descriptor) }

    /// The inotify descriptor and which folder each watch is.
    private final class Watches: @unchecked Sendable {
        let descriptor: Int32
        private let lock = NSLock()
        private var paths: [Int32: String] = [:]

        init(descriptor: Int32) { self.descriptor = descriptor }

        func path(of watch: Int32) -> String? { lock.withLock { paths[watch] } }

        /// Watches `path` and the folders under it; returns the watch of `path` itself.
        @discardableResult
        func addTree(_ path: String) -> Int32 {
            let mask = UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_ATTRIB)
            let watch = inotify_add_watch(descriptor, path, mask)
            guard watch >= 0 else { return watch }
            lock.withLock { paths[watch] = path }
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path + "/" + entry, isDirectory: &isDirectory), isDirectory.boolValue {
                    addTree(path + "/" + entry)
                }
            }
            return watch
        }
    }
}
