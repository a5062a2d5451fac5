import Foundation

/// A resumable upload (tus 1.0.0, SPEC §15): its bytes under `<root>/uploads/<id>/`, what
/// is known of it here. `offset` only ever grows, and only after the bytes below it are on
/// disk (fsynced).
public struct UploadSession: Codable, Sendable, Equatable, Identifiable {
    /// Random and unguessable: the upload's URL is its capability.
    public var id: String
    /// The file's name as the client gave it (`Upload-Metadata` `filename`), checked safe.
    public var filename: String
    public var title: String?
    public var type: MediaType?
    public var preset: String?
    public var length: Int64
    public var offset: Int64
    public var createdAt: Date
    /// When an incomplete upload is removed.
    public var expiresAt: Date
    /// The job made of it once complete.
    public var jobId: String?

    public init(id: String = UploadSession.makeID(), filename: String, title: String?, type: MediaType?, preset: String?,
                length: Int64, createdAt: Date = Date(), expiresAt: Date) {
        self.id = id
        self.filename = filename
        self.title = title
        self.type = type
        self.preset = preset
        self.length = length
        offset = 0
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    public var isComplete: Bool { offset == length }

    /// 128 random bits, base64url.
    public static func makeID() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// A one-time upload URL (`POST /api/uploads/urls`): a tus creation endpoint at which a
/// browser may create one upload without the API token. Only the token's SHA-256 is kept.
public struct UploadGrant: Codable, Sendable, Equatable {
    public var tokenHash: String
    public var title: String?
    public var type: MediaType?
    public var preset: String?
    public var maxBytes: Int64?
    public var expiresAt: Date
    /// The upload created with it; set once, so a second creation is refused.
    public var uploadId: String?

    public init(tokenHash: String, title: String?, type: MediaType?, preset: String?, maxBytes: Int64?, expiresAt: Date) {
        self.tokenHash = tokenHash
        self.title = title
        self.type = type
        self.preset = preset
        self.maxBytes = maxBytes
        self.expiresAt = expiresAt
    }
}
