import CompressNIO
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import Synchronization

/// Where `/hls/` bytes come from, for Hummingbird's `FileMiddleware` (which does the HTTP
/// side: ETag, 304, ranges): files of `media/`. Segments never change once published, so
/// files up to 4 MiB (init and media segments, subtitles, posters, playlists) are kept in
/// memory after their first read, by path, size and nanosecond modification time, within a
/// 64 MiB budget (oldest out first), and answered without touching the disk or a thread
/// pool — a hot title's segments are served like a CDN edge serves them. Larger files are
/// read from disk in 1 MiB chunks. Playlists, which are replaced while a title is packaged,
/// are read as one consistent `snapshot` (for `HLSGuard`), their gzip form kept the same way.
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
    /// The last version read of each playlist, with its headers' values made once.
    private let snapshots = LatestSnapshots()

    /// How long a ready title's playlist is answered from memory (`finalSnapshot`).
    let finalMemory: Duration

    init(root: URL, finalMemory: Duration = PublishedTitles.memory) {
        self.root = root.path
        self.finalMemory = finalMemory
    }

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
        guard let key = cacheKey(path) else { return nil }
        if let buffer = cache[key] { return buffer }
        let buffer = try await NIOThreadPool.singleton.runIfActive {
            ByteBuffer(bytes: try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        cache[key] = buffer
        return buffer
    }

    /// One version of a small file (a playlist, known by its URL `path`, open as `descriptor`,
    /// whose `fstat` is `info`) read whole through that descriptor, with the size and time of that
    /// very version: a file replaced by rename meanwhile cannot mix two versions. The last
    /// version read is kept and answered again while size and time are unchanged. Nil when
    /// it is larger than `cachedFileLimit`. Done on the calling thread, as nginx does: a
    /// playlist is a few kilobytes in the page cache, and a hop to the thread pool cost more
    /// than the read (measured: see README's serving figures).
    /// - Parameter isFinal: its title is ready, so this version is its last (`finalSnapshot`).
    func snapshot(_ path: String, descriptor: Int32, info: stat, isFinal: Bool) throws -> Snapshot? {
        guard Int(info.st_size) <= Self.cachedFileLimit else { return nil }
        let modified = Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec)
        let key = SmallFileCache.Key(path: path, size: Int(info.st_size), modified: modified, isGzip: false)
        if let known = snapshots[path]?.snapshot, known.key == key {
            snapshots[path] = (known, isFinal, .now)
            return known
        }
        var bytes = ByteBuffer()
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = read(descriptor, &chunk, chunk.count)
            guard count >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            if count == 0 { break }
            bytes.writeBytes(chunk[0..<count])
        }
        let snapshot = Snapshot(key: key, bytes: bytes)
        snapshots[path] = (snapshot, isFinal, .now)
        return snapshot
    }

    /// A ready title's playlist read from disk less than `finalMemory` ago, answered without
    /// touching the disk: a ready title's files do not change, and whether it is still
    /// published is itself remembered as long (`PublishedTitles`).
    func finalSnapshot(_ path: String) -> Snapshot? {
        guard let known = snapshots[path], known.isFinal, ContinuousClock.now - known.read < finalMemory else { return nil }
        return known.snapshot
    }

    /// A file's bytes as read at one moment, with what identifies that version: its header
    /// fields are made once per version, not per request.
    struct Snapshot: Sendable {
        let key: SmallFileCache.Key
        let bytes: ByteBuffer
        /// Size and nanosecond modification time: a replaced playlist gets a new tag.
        let eTag: String
        /// `ETag` and `Last-Modified` (RFC 9110 IMF-fixdate).
        let versionFields: HTTPFields
        /// `Content-Length` of `bytes`.
        let contentLength: HTTPField

        init(key: SmallFileCache.Key, bytes: ByteBuffer) {
            self.key = key
            self.bytes = bytes
            eTag = "\"\(String(key.size, radix: 16))-\(String(key.modified, radix: 16))\""
            var time = time_t(key.modified / 1_000_000_000), parts = tm()
            gmtime_r(&time, &parts)
            var text = [CChar](repeating: 0, count: 40)
            let length = strftime(&text, text.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
            versionFields = [.eTag: eTag, .lastModified: String(decoding: text[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)]
            contentLength = HTTPField(name: .contentLength, value: String(bytes.readableBytes))
        }
    }

    /// The gzip form of a snapshot (playlists), compressed once per version.
    func gzipped(_ snapshot: Snapshot) throws -> ByteBuffer? {
        let key = SmallFileCache.Key(path: snapshot.key.path, size: snapshot.key.size, modified: snapshot.key.modified, isGzip: true)
        if let buffer = cache[key] { return buffer }
        var plain = snapshot.bytes
        let compressed = try plain.compress(with: .gzip())
        cache[key] = compressed
        return compressed
    }

    /// The cache key of `path` as it is now; nil when it is missing or too large to keep.
    private func cacheKey(_ path: String) -> SmallFileCache.Key? {
        var info = stat()
        guard stat(path, &info) == 0, Int(info.st_size) <= Self.cachedFileLimit else { return nil }
        return SmallFileCache.Key(path: path, size: Int(info.st_size),
                                  modified: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec), isGzip: false)
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

/// The last snapshot of each playlist, by path, with whether its title was ready and when
/// it was read (forgotten all at once past 10,000 paths).
final class LatestSnapshots: Sendable {
    typealias Entry = (snapshot: HLSFileProvider.Snapshot, isFinal: Bool, read: ContinuousClock.Instant)

    private let entries = Mutex<[String: Entry]>([:])

    subscript(path: String) -> Entry? {
        get { entries.withLock { $0[path] } }
        set {
            entries.withLock { entries in
                if entries.count > 10_000 { entries.removeAll() }
                entries[path] = newValue
            }
        }
    }
}
