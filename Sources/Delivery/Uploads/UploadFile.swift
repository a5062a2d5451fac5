import Foundation
import NIOCore
import NIOPosix

/// An upload's bytes, `<root>/uploads/<id>/<filename>`, held under an exclusive `flock`
/// while one request writes it (a second request, from any daemon of the vault, is refused
/// rather than interleaved). Bytes past the recorded offset — written by a request that
/// broke before its offset was recorded — are cut off when it is opened.
final class UploadFile {
    let url: URL
    private let descriptor: Int32

    enum Failure: Error {
        /// Another request is writing this upload.
        case busy
        case io(String)
    }

    init(folder: URL, filename: String, offset: Int64) throws(Failure) {
        url = folder.appendingPathComponent(filename)
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw .io("cannot make \(folder.path): \(error)")
        }
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .io("cannot open \(url.path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw .busy
        }
        guard ftruncate(descriptor, off_t(offset)) == 0, lseek(descriptor, off_t(offset), SEEK_SET) == off_t(offset) else {
            close(descriptor)
            throw .io("cannot position \(url.path) at \(offset): \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

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
