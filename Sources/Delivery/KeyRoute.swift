import Catalog
import Hummingbird
import VaultLayout

/// `GET /keys/<id>`: the 16 bytes of an AES-128 title's key (SPEC §12), which its playlists'
/// `EXT-X-KEY` lines name. With `--playback-keys`, `PlaybackGuard` has checked the token
/// for this title before the catalog is asked. Never cached by anyone but the viewer, and
/// 404 for a title that is not published or not encrypted.
struct KeyRoute: Sendable {
    let catalog: any CatalogStore
    let titles: PublishedTitles

    func register(on router: Router<DeliveryContext>) {
        let path = RouterPath(TitleLayout.keyPrefix + ":id")
        router.get(path) { _, context in
            let id = try context.parameters.require("id")
            guard try await titles.title(id) != nil, let key = try await catalog.titleKey(of: id, making: false) else {
                throw APIError.notFound("no key for \(id)")
            }
            return HLSGuard.withCORS(Response(
                status: .ok, headers: [.contentType: "application/octet-stream", .cacheControl: "private, no-store"],
                body: .init(byteBuffer: ByteBuffer(bytes: key.bytes))))
        }
        router.on(path, method: .options) { _, _ in HLSGuard.preflight }
    }
}
