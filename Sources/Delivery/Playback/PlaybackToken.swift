import Foundation
import JWTKit

/// The claims of a playback token (SPEC §12), as signed by the platform in front of us.
public struct PlaybackClaims: JWTPayload, Equatable {
    /// The title it opens, a series (its episodes), or `*` (every title).
    public var sub: SubjectClaim
    public var exp: ExpirationClaim
    public var nbf: NotBeforeClaim?
    /// Variants taller than this are left out and refused (720 basic, 1080 HD, 2160 4K).
    public var maxHeight: Int?
    /// Who watches, for the platform's own counts.
    public var viewer: String?

    public init(subject: String, expires: Date, notBefore: Date? = nil, maxHeight: Int? = nil, viewer: String? = nil) {
        sub = SubjectClaim(value: subject)
        exp = ExpirationClaim(value: expires)
        nbf = notBefore.map { NotBeforeClaim(value: $0) }
        self.maxHeight = maxHeight
        self.viewer = viewer
    }

    /// Times are checked by `PlaybackTokenVerifier` at every use, with its leeway, so that an
    /// expired token gets its own answer; here only the claims' shape.
    public func verify(using algorithm: some JWTAlgorithm) throws {
        guard !sub.value.isEmpty, maxHeight.map({ $0 > 0 }) ?? true else {
            throw JWTError.claimVerificationFailure(failedClaim: sub, reason: "sub must be a title id or *, maxHeight a whole number above 0")
        }
    }
}

/// What a verified token lets its bearer watch.
public struct PlaybackGrant: Sendable, Equatable {
    public enum Scope: Sendable, Equatable {
        /// `sub: "*"`.
        case everything
        /// A title id, or a series id (which opens its episodes).
        case title(String)
    }

    public let scope: Scope
    public let maxHeight: Int?
    public let expires: Date
    public let notBefore: Date?
    /// The token itself, carried into every URI of the playlists it is served with.
    public let token: String
    /// Who watches (the token's `viewer`), for counting playback starts.
    public let viewer: String?

    init(claims: PlaybackClaims, token: String) {
        scope = claims.sub.value == "*" ? .everything : .title(claims.sub.value)
        maxHeight = claims.maxHeight
        expires = claims.exp.value
        notBefore = claims.nbf?.value
        viewer = claims.viewer
        self.token = token
    }

    /// Whether a variant this tall may be watched.
    public func allows(height: Int) -> Bool { maxHeight.map { height <= $0 } ?? true }
}

/// Why a request under `/hls/` or `/keys/` is refused (SPEC §12), with its status and code.
public enum PlaybackRefusal: Error, Equatable, Sendable {
    /// No token: 401 `token_required`.
    case required
    /// Malformed, unknown `kid`, wrong `alg`, bad signature: 403 `token_invalid`.
    case invalid(String)
    /// Expired or not yet valid: 403 `token_expired`.
    case expired(String)
    /// Another title, or a variant above `maxHeight`: 403 `token_scope`.
    case scope(String)
    /// Too many refused tokens from this address: 429.
    case tooManyRefusals(retryAfter: Int)

    var apiError: APIError {
        switch self {
        case .required: APIError(.unauthorized, code: "token_required", "a playback token is required (?token= or Authorization: Bearer)")
        case .invalid(let why): APIError(.forbidden, code: "token_invalid", why)
        case .expired(let why): APIError(.forbidden, code: "token_expired", why)
        case .scope(let why): APIError(.forbidden, code: "token_scope", why)
        case .tooManyRefusals(let seconds):
            APIError(.tooManyRequests, code: "rate_limited", "too many refused tokens from this address; try again in \(seconds) s",
                     headers: [.retryAfter: String(seconds)])
        }
    }
}
