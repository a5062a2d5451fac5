import Catalog
import Foundation
import Glibc
import HTTPTypes
import Hummingbird
import Synchronization
import VaultLayout

/// Guards and dresses `/hls/<id>/…`: only titles recorded in the catalog are served, and
/// only regular files that really lie inside `media/<id>/` (no `..`, no encoded dots or
/// slashes, no symlink out): anything else is 404. Responses get the HLS and DASH content types,
/// cache rules (segments immutable for a year, playlists short-lived), CORS headers, and
/// gzip for playlists when the client accepts it.
/// Hummingbird's `FileMiddleware`, placed after it, does ranges, ETag and Last-Modified.
struct HLSGuard: RouterMiddleware {
    typealias Context = DeliveryContext

    /// `media/`, through which every file is checked (and playlists read).
    let root: MediaRoot
    let published: PublishedTitles
    /// The byte source `FileMiddleware` also reads from, for playlists' snapshots and gzip form.
    let files: HLSFileProvider
    /// Playlists already carried under a token.
    let carried = CarriedPlaylists()
    let starts: PlaybackStarts
    let clients: ClientAddresses

    init(vault: Vault, titles: PublishedTitles, files: HLSFileProvider, starts: PlaybackStarts, clients: ClientAddresses) {
        root = MediaRoot(path: vault.mediaFolder.path)
        published = titles
        self.files = files
        self.starts = starts
        self.clients = clients
    }

    static var prefix: String { TitleLayout.servedPrefix }

    static let contentTypes = [
        "m3u8": "application/vnd.apple.mpegurl", "m4s": "video/iso.segment", "mp4": "video/mp4",
        "ts": "video/mp2t", "vtt": "text/vtt; charset=utf-8", "jpg": "image/jpeg", "mpd": dashManifestType,
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let rawPath = request.uri.path
        guard rawPath.hasPrefix(Self.prefix) else { return try await next(request, context) }
        let notFound = APIError.notFound("no such file")
        if request.method == .options { return Self.preflight }
        guard request.method == .get || request.method == .head else {
            throw APIError(.methodNotAllowed, code: "method_not_allowed", "only GET and HEAD")
        }
        // Encoded dots, slashes or backslashes are never part of a name we write.
        guard let path = Self.decodedPath(rawPath) else { throw notFound }
        let parts = path.dropFirst(Self.prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 2, !parts.contains(where: { $0.isEmpty || $0.first == "." }),
              let dot = parts.last!.lastIndex(of: "."),
              let type = Self.contentTypes[parts.last![parts.last!.index(after: dot)...].lowercased()] else { throw notFound }
        guard let status = try await published.title(String(parts[0]))?.status else { throw notFound }

        // Under a token the storyboard's image URIs must carry it: it is answered as a playlist.
        if type == Self.playlistType || type == Self.dashManifestType || (context.grant != nil && path.hasSuffix("/" + TitleLayout.storyboardCuesName)) {
            let isFinal = status == .ready
            guard let snapshot = try (isFinal ? files.finalSnapshot(path) : nil)
                ?? root.withFile(parts, { try files.snapshot(path, descriptor: $0, info: $1, isFinal: isFinal) }) ?? nil else {
                throw notFound
            }
            if request.method == .get, parts.count == 2, parts[1] == TitleLayout.masterPlaylistName {
                let viewer = context.grant?.viewer.map { "viewer:" + $0 } ?? "address:" + clients.address(of: request, peer: context.remoteAddress)
                starts.note(String(parts[0]), viewer: viewer)
            }
            if let grant = context.grant {
                return tokened(snapshot, type: type, grant: grant, request: request)
            }
            return try playlist(snapshot, type: type, isProcessing: !isFinal, request: request)
        }
        guard let size = root.withFile(parts, { Int($1.st_size) }) else { throw notFound }

        var request = request
        if let range = request.headers[.range] {
            var head = request.head
            switch Self.byteRange(range, size: size) {
            case .whole: head.headerFields[.range] = nil
            case .satisfiable(let normalized): head.headerFields[.range] = normalized
            case .unsatisfiable:
                return Self.withCORS(Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(size)"]))
            }
            request = Request(head: head, body: request.body)
        }
        var response = try await next(request, context)
        response.headers[.contentType] = type
        // A protected title's bytes are the viewer's: no shared cache keeps them.
        response.headers[.cacheControl] = context.grant == nil ? "public, max-age=31536000, immutable" : "private, max-age=31536000, immutable"
        return Self.withCORS(response)
    }

    static let playlistType = "application/vnd.apple.mpegurl"
    static let dashManifestType = "application/dash+xml"

    /// The fields every playlist answer starts with, made once. A processing title's
    /// playlists grow: players must ask again each time (SPEC §10).
    static let processingPlaylistFields = playlistFields(cacheControl: "no-cache")
    static let readyPlaylistFields = playlistFields(cacheControl: "public, max-age=10")

    private static func playlistFields(cacheControl: String) -> HTTPFields {
        var fields: HTTPFields = [.contentType: playlistType, .cacheControl: cacheControl, .vary: "Accept-Encoding"]
        fields.append(contentsOf: cors)
        return fields
    }

    /// A playlist or MPD, answered here rather than by `FileMiddleware`: it is replaced
    /// (by rename) while its title is packaged, so its length, ETag and bytes must all come
    /// from one read of one version (`HLSFileProvider.snapshot`). Ranges are ignored (the
    /// whole file, 200), as RFC 9110 allows; gzip when the client takes it.
    private func playlist(_ snapshot: HLSFileProvider.Snapshot, type: String, isProcessing: Bool, request: Request) throws -> Response {
        var headers = isProcessing ? Self.processingPlaylistFields : Self.readyPlaylistFields
        if type != Self.playlistType { headers[.contentType] = type }
        headers.append(contentsOf: snapshot.versionFields)
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == snapshot.eTag || $0.trimmingCharacters(in: .whitespaces) == "*"
        }) {
            return Response(status: .notModified, headers: headers)  // CORS included
        }
        var body = snapshot.bytes
        if Self.acceptsGzip(request), let compressed = try files.gzipped(snapshot) {
            headers[.contentEncoding] = "gzip"
            headers[.contentLength] = String(compressed.readableBytes)
            body = compressed
        } else {
            headers.append(snapshot.contentLength)
        }
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: body))
    }

    /// A playlist, MPD or storyboard served under a playback token: the token carried into
    /// each URI (and the variants above its `maxHeight` left out), `private, no-cache`, and
    /// no validator, since the bytes are this token's alone.
    private func tokened(_ snapshot: HLSFileProvider.Snapshot, type: String, grant: PlaybackGrant, request: Request) -> Response {
        let path = request.uri.path
        let body = carried.body(path: path, eTag: snapshot.eTag, token: grant.token) {
            ByteBuffer(string: TokenCarrier(grant).carry(String(buffer: snapshot.bytes), path: path) ?? String(buffer: snapshot.bytes))
        }
        var headers = Self.tokenedFields
        headers[.contentType] = type
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .ok, headers: headers, body: request.method == .head ? .init() : .init(byteBuffer: body))
    }

    static let tokenedFields = playlistFields(cacheControl: "private, no-cache")

    /// The path of an `/hls/` URL with its percent escapes decoded; nil when it holds an
    /// encoded dot, slash or backslash, a backslash or an empty segment (`//`).
    static func decodedPath(_ raw: String) -> String? {
        var previous: UInt8 = 0, escaped = false
        for byte in raw.utf8 {
            if byte == UInt8(ascii: "\\") || (byte == UInt8(ascii: "/") && previous == byte) { return nil }
            escaped = escaped || byte == UInt8(ascii: "%")
            previous = byte
        }
        guard escaped else { return raw }
        let lowered = raw.lowercased()
        guard !["%2e", "%2f", "%5c"].contains(where: lowered.contains) else { return nil }
        return raw.removingPercentEncoding
    }

    enum RangeAnswer: Equatable {
        /// Malformed or several ranges: ignored, the whole file is sent (RFC 9110 allows it).
        case whole
        /// One range within the file, as `bytes=first-last`.
        case satisfiable(String)
        /// Starts past the end: 416.
        case unsatisfiable
    }

    /// Reads a `Range` header for a file of `size` bytes (one range; suffix ranges too).
    static func byteRange(_ header: String, size: Int) -> RangeAnswer {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let bounds = header.dropFirst("bytes=".count).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard bounds.count == 2, bounds.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return .whole }
        switch (Int(bounds[0]), Int(bounds[1])) {
        case let (first?, last?) where first <= last:
            return first < size ? .satisfiable("bytes=\(first)-\(min(last, size - 1))") : .unsatisfiable
        case let (first?, nil) where bounds[1].isEmpty:
            return first < size ? .satisfiable("bytes=\(first)-\(size - 1)") : .unsatisfiable
        case let (nil, suffix?) where bounds[0].isEmpty:
            return suffix > 0 && size > 0 ? .satisfiable("bytes=\(max(0, size - suffix))-\(size - 1)") : .unsatisfiable
        default:
            return .whole
        }
    }

    /// `Accept-Encoding` names gzip without refusing it (`gzip;q=0`).
    static func acceptsGzip(_ request: Request) -> Bool {
        (request.headers[.acceptEncoding] ?? "").split(separator: ",").contains { entry in
            let parts = entry.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            return parts.first?.lowercased() == "gzip" && !parts.dropFirst().contains { $0.replacingOccurrences(of: " ", with: "") == "q=0" }
        }
    }

    /// The CORS headers of every `/hls/` answer.
    static let cors: HTTPFields = [.accessControlAllowOrigin: "*", .accessControlExposeHeaders: "Content-Length, Content-Range"]

    /// The answer to a CORS preflight (`OPTIONS`): what a player on another origin may ask.
    /// Browsers read these only there, so other answers go without them.
    static let preflight: Response = withCORS(Response(status: .noContent, headers: [
        .accessControlAllowMethods: "GET, HEAD, OPTIONS", .accessControlAllowHeaders: "Range, If-None-Match, If-Modified-Since, Authorization",
        .accessControlMaxAge: "86400",
    ]))

    static func withCORS(_ response: Response) -> Response {
        var response = response
        response.headers.append(contentsOf: cors)
        return response
    }
}

/// Which titles are published, with what serving them needs (status, series, the height
/// of each video rung's folder), asked of the catalog and remembered for two seconds, so a
/// player fetching segments does not cost a database read per request. A title deleted
/// through another daemon (or the CLI) can thus still be served for up to two seconds; one
/// deleted through this server is forgotten at once.
final class PublishedTitles: Sendable {
    struct Title: Sendable {
        let status: Media.Status
        let seriesId: String?
        /// A video rung's folder (`720p`) → its height in lines.
        let rungHeights: [String: Int]
    }

    private let catalog: any CatalogStore
    private let confirmed = Mutex<[String: (title: Title, at: ContinuousClock.Instant)]>([:])
    static let memory = Duration.seconds(2)

    init(catalog: any CatalogStore) { self.catalog = catalog }

    /// The published title `id`; nil when there is none (a series id is not a title).
    func title(_ id: String) async throws -> Title? {
        let now = ContinuousClock.now
        if let known = confirmed.withLock({ $0[id] }), now - known.at < Self.memory { return known.title }
        guard case .title(let record)? = try await catalog.entry(id: id) else { return nil }
        let title = Title(status: record.media.status, seriesId: record.media.seriesId, rungHeights: Dictionary(
            record.renditions.map { (TitleLayout.rungPath($0.quality), $0.height) }, uniquingKeysWith: max))
        confirmed.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[id] = (title, now)
        }
        return title
    }

    /// Forgets title `id` (deleted through this server).
    func forget(_ id: String) {
        _ = confirmed.withLock { $0.removeValue(forKey: id) }
    }
}
