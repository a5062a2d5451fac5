import NIOCore
import Synchronization

/// Playlists as carried under a token (`TokenCarrier`), by file version and token: a
/// player reloading the playlists of a title being packaged, or asking again within a
/// token's life, costs the rewrite once per version. Bounded by bytes: emptied when full.
final class CarriedPlaylists: Sendable {
    private let entries = Mutex<(bodies: [String: ByteBuffer], bytes: Int)>(([:], 0))
    static let capacity = 16 * 1024 * 1024

    /// The carried body of `path` at version `eTag` under `token`, made by `carry` when not known.
    func body(path: String, eTag: String, token: String, carry: () -> ByteBuffer) -> ByteBuffer {
        let key = eTag + " " + path + " " + token
        if let known = entries.withLock({ $0.bodies[key] }) { return known }
        let body = carry()
        entries.withLock { entries in
            if entries.bytes + body.readableBytes > Self.capacity { entries = ([:], 0) }
            entries.bodies[key] = body
            entries.bytes += body.readableBytes + key.utf8.count
        }
        return body
    }
}
