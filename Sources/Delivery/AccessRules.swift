/// Who may reach what (SPEC §12): playback keys (without them playback is open), the rate
/// limit of `/api/` and the pages, and the proxies whose `X-Forwarded-For` is believed.
public struct AccessRules: Sendable {
    public var playbackKeys: PlaybackKeys?
    public var rateLimit: RateLimit?
    public var trustedProxies: [AddressRange]

    public init(playbackKeys: PlaybackKeys? = nil, rateLimit: RateLimit? = nil, trustedProxies: [AddressRange] = []) {
        self.playbackKeys = playbackKeys
        self.rateLimit = rateLimit
        self.trustedProxies = trustedProxies
    }
}
