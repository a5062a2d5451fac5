import Foundation
import NIOCore
import NIOPosix

/// An upload's bytes, `<root>/uploads/<id>/<filename>`, held under an exclusive `flock`
/// while one request writes it (a second request, from any daemon of the vault, is refused
/// rather than interleaved), until `close()`. Bytes past the recorded offset — written by a
/// request that broke before its offset was recorded — are cut off by `position(at:)`.
final class UploadFile {
    let url: URL
    private var descriptor: Int32

    enum Failure: Error {
        /// Another request is writing this upload.
        case busy
        case io(String)
    }

    init(folder: URL, filename: String) throws(Failure) {
        url = folder.appendingPathComponent(filename)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw .io("cannot make \(folder.path): \(error)")
        }
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .io("cannot open \(url.path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            Foundation.close(descriptor)
            throw .busy
        }
        self.descriptor = descriptor
    }

    /// Goes to `offset`, the recorded one: what lies past it goes; a file shorter than it
    /// (its bytes lost) is an error, never filled with zeros.
    func position(at offset: Int64) throws(Failure) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw .io("cannot read \(url.path): \(String(cString: strerror(errno)))") }
        guard Int64(info.st_size) >= offset else { throw .io("\(url.path) holds \(info.st_size) bytes, fewer than the \(offset) acknowledged") }
        guard ftruncate(descriptor, off_t(offset)) == 0, lseek(descriptor, off_t(offset), SEEK_SET) == off_t(offset) else {
            throw .io("cannot position \(url.path) at \(offset): \(String(cString: strerror(errno)))")
        }
    }

    /// Lets the lock go.
    func close() {
        guard descriptor >= 0 else { return }
        Foundation.close(descriptor)
        descriptor = -1
    }

    deinit { close() }

    /// Appends all of `buffer`.
    func write(_ buffer: ByteBuffer) throws(Failure) {
        let failed: String? = buffer.withUnsafeReadableBytes { bytes in
            var done = 0
            while done < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + done, bytes.count - done)
                if written < 0 {
                    if errno == EINTR { continue }
                    return String(cString: strerror(errno))
                }
                done += written
            }
            return nil
        }
        if let failed { throw .io("cannot write \(url.path): \(failed)") }
    }

    /// Cuts the file back to `offset` (a body refused by its checksum leaves nothing).
    func truncate(to offset: Int64) {
        _ = ftruncate(descriptor, off_t(offset))
        _ = lseek(descriptor, off_t(offset), SEEK_SET)
    }

    /// Waits until what was written is on disk, off the event loops.
    func sync() async throws {
        let descriptor = self.descriptor, path = url.path
        try await NIOThreadPool.singleton.runIfActive {
            guard fsync(descriptor) == 0 else { throw Failure.io("cannot fsync \(path): \(String(cString: strerror(errno)))") }
        }
    }
}
