import Hummingbird
import NIOCore

/// The context of every request: the client's socket address (for rate limits) and, once
/// `PlaybackGuard` has checked it, what the request's playback token grants.
public struct DeliveryContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// Set under `/hls/` and `/keys/` when playback is protected and the token holds.
    public var grant: PlaybackGrant?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
