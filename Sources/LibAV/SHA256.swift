import CLibAV
import Foundation

/// SHA-256 of a file's content with libavutil's implementation, as lowercase hex: how
/// StreamVault recognises a file it has already packaged.
public enum SHA256 {
    /// Reads `path` in 1 MiB chunks.
    public static func hex(ofFileAt path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        defer { try? handle.close() }
        guard let context = av_sha_alloc() else { throw LibAVError(code: sv_averror(ENOMEM), operation: "allocate SHA-256") }
        defer { av_free(UnsafeMutableRawPointer(context)) }
        av_sha_init(context, 256)
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { bytes in
                av_sha_update(context, bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count)
            }
        }
        var digest = [UInt8](repeating: 0, count: 32)
        av_sha_final(context, &digest)
        return digest.map { String(format: "%02x", $0) }.joined()
    }
}
