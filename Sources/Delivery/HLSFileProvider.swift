import CompressNIO
import Foundation
import Glibc
import Hummingbird
import NIOCore
import NIOPosix
import Synchronization

/// Where `/hls/` bytes come from, for Hummingbird's `FileMiddleware` (which does the HTTP
/// side: ETag, 304, ranges): files of `media/`. Published files never change, so files up
/// to 4 MiB (playlists, init and media segments, subtitles, posters) are kept in memory
/// after their first read, within a 64 MiB budget (oldest out first), and answered without
/// touching the disk or a thread pool — a hot title's segments are served like a CDN edge
/// serves them. Larger files are read from disk in 1 MiB chunks. The gzip form of a file
/// (playlists, for `HLSGuard`) is kept the same way.
struct HLSFileProvider: FileProvider {
    struct FileAttributes: Sendable, FileMiddlewareFileAttributes {
        let isFolder: Bool
        let size: Int
        let modificationDate: Date
    }

    typealias FileIdentifier = String

    static let cachedFileLimit = 4 * 1024 * 1024
    static let cacheBudget = 64 * 1024 * 1024

    let root: String
    private let fileIO = FileIO()
    private let cache = SmallFileCache(budget: Self.cacheBudget)

    init(root: URL) { self.root = root.path }

    func getFileIdentifier(_ path: String) -> String? { root + (path.hasPrefix("/") ? path : "/" + path) }

    func getAttributes(id path: String) async throws -> FileAttributes? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileAttributes(isFolder: info.st_mode & S_IFMT == S_IFDIR, size: Int(info.st_size),
                              modificationDate: Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec)))
    }

    func loadFile(id path: String, context: some RequestContext) async throws -> ResponseBody {
        if let buffer = try await small(path) { return ResponseBody(byteBuffer: buffer) }
        return try await fileIO.loadFile(path: path, context: context, chunkLength: 1 << 20)
    }

    func loadFile(id path: String, range: ClosedRange<Int>, context: some RequestContext) async throws -> ResponseBody {
        if let buffer = try await small(path), range.upperBound < buffer.readableBytes {
            return ResponseBody(byteBuffer: buffer.getSlice(at: range.lowerBound, length: range.count)!)
        }
        return try await fileIO.loadFile(path: path, range: range, context: context, chunkLength: 1 << 20)
    }

    /// The whole content of a file up to `cachedFileLimit`, from memory when it was read before.
    private func small(_ path: String) async throws -> ByteBuffer? {
        guard let key = cacheKey(path, isGzip: false) else { return nil }
        if let buffer = cache[key] { return buffer }
        let buffer = try await NIOThreadPool.singleton.runIfActive {
            ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        cache[key] = buffer
        return buffer
    }

    /// The gzip form of a file up to `cachedFileLimit` (playlists), compressed once.
    func gzipped(_ path: String) async throws -> ByteBuffer? {
        guard let key = cacheKey(path, isGzip: true) else { return nil }
        if let buffer = cache[key] { return buffer }
        guard var plain = try await small(path) else { return nil }
        let compressed = try plain.compress(with: .gzip())
        cache[key] = compressed
        return compressed
    }

    /// The cache key of `path` as it is now; nil when it is missing or too large to keep.
    private func cacheKey(_ path: String, isGzip: Bool) -> SmallFileCache.Key? {
        var info = stat()
        guard stat(path, &info) == 0, Int(info.st_size) <= Self.cachedFileLimit else { return nil }
        return SmallFileCache.Key(path: path, size: Int(info.st_size), modified: Int(info.st_mtim.tv_sec), isGzip: isGzip)
    }
}

/// Published files by path, size and modification time, within a byte budget; when full,
/// the oldest entries leave first.
final class SmallFileCache: Sendable {
    struct Key: Hashable, Sendable {
        let path: String
        let size: Int
        let modified: Int
        /// The gzip form of the file rather than its bytes.
        let isGzip: Bool
    }

    private struct State {
        var entries: [Key: ByteBuffer] = [:]
        var order: [Key] = []
        var bytes = 0
    }

    private let budget: Int
    private let state = Mutex(State())

    init(budget: Int) { self.budget = budget }

    subscript(key: Key) -> ByteBuffer? {
        get { state.withLock { $0.entries[key] } }
        set {
            guard let newValue, newValue.readableBytes <= budget else { return }
            state.withLock { state in
                guard state.entries[key] == nil else { return }
                var evicted = 0
                while state.bytes + newValue.readableBytes > budget, evicted < state.order.count {
                    let oldest = state.order[evicted]
                    state.bytes -= state.entries.removeValue(forKey: oldest)?.readableBytes ?? 0
                    evicted += 1
                }
                state.order.removeFirst(evicted)
                state.entries[key] = newValue
                state.order.append(key)
                state.bytes += newValue.readableBytes
            }
        }
    }
}
