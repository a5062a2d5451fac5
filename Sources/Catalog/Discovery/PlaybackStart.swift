import Crypto
import Foundation

/// A title's playback started (SPEC §15): its master playlist fetched by one viewer — a
/// token's `viewer`, else a client address — counted once per hour per title. The viewer is
/// kept only as a digest.
public struct PlaybackStart: Sendable, Hashable {
    public var mediaId: String
    /// SHA-256 of the viewer, 16 bytes in hex.
    public var viewer: String
    /// Hours since 1970: the counting window.
    public var hour: Int
    public var at: Date

    public init(mediaId: String, viewer: String, at: Date = Date()) {
        self.mediaId = mediaId
        self.viewer = SHA256.hash(data: Data(viewer.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
        hour = Int(at.timeIntervalSince1970 / 3600)
        self.at = at
    }
}
