import Crypto
import Foundation
import JWTKit
import Synchronization

/// Checks playback tokens against the current key set (SPEC §12). The header's `kid` must
/// name a key of the set and its `alg` be that key's, before jwt-kit checks the signature;
/// the times are checked at every use with a 30 s leeway. A token whose signature was
/// checked is remembered until it expires (or the key set changes), so a player's stream of
/// requests costs one signature check, not one per segment. It is remembered by its SHA-256,
/// so looking it up compares digests, never a secret's bytes.
public final class PlaybackTokenVerifier: Sendable {
    public static let leeway: TimeInterval = 30
    /// Verified tokens remembered at most; past it the expired ones go, then all.
    static let memoryLimit = 10_000

    private let keys: PlaybackKeys
    private let verified = Mutex<(generation: Int, grants: [SHA256.Digest: PlaybackGrant])>((0, [:]))

    public init(keys: PlaybackKeys) { self.keys = keys }

    /// The grant of `token` at `now`, or why it is refused.
    public func grant(for token: String, now: Date = Date()) async throws(PlaybackRefusal) -> PlaybackGrant {
        let (set, generation) = keys.current()
        let digest = SHA256.hash(data: Data(token.utf8))
        let remembered = verified.withLock { $0.generation == generation ? $0.grants[digest] : nil }
        let grant: PlaybackGrant
        if let remembered {
            grant = remembered
        } else {
            grant = try await verify(token, with: set)
            verified.withLock { memory in
                if memory.generation != generation { memory = (generation, [:]) }
                if memory.grants.count >= Self.memoryLimit {
                    memory.grants = memory.grants.filter { $0.value.expires.addingTimeInterval(Self.leeway) > now }
                    if memory.grants.count >= Self.memoryLimit { memory.grants.removeAll() }
                }
                memory.grants[digest] = grant
            }
        }
        if grant.expires.addingTimeInterval(Self.leeway) <= now { throw .expired("the token expired at \(Self.format(grant.expires))") }
        if let notBefore = grant.notBefore, notBefore.addingTimeInterval(-Self.leeway) > now {
            throw .expired("the token is not valid before \(Self.format(notBefore))")
        }
        return grant
    }

    private func verify(_ token: String, with set: PlaybackKeySet) async throws(PlaybackRefusal) -> PlaybackGrant {
        struct Header: Decodable { var alg: String?; var kid: String? }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerBytes = Base64URL.decode(String(parts[0])),
              let header = try? JSONDecoder().decode(Header.self, from: headerBytes) else {
            throw .invalid("the token is not a signed JWT (header.payload.signature, base64url)")
        }
        guard let kid = header.kid, let algorithm = set.algorithms[kid] else {
            throw .invalid("the token's kid \(header.kid.map { "\"\(Self.printable($0))\"" } ?? "(none)") names no key of the set")
        }
        guard header.alg == algorithm.rawValue else {
            throw .invalid("the token's alg \(header.alg.map { "\"\(Self.printable($0))\"" } ?? "(none)") is not its key's (\(algorithm.rawValue))")
        }
        do {
            let claims = try await set.collection.verify(token, as: PlaybackClaims.self)
            return PlaybackGrant(claims: claims, token: token)
        } catch let error as JWTError where error.errorType == .signatureVerificationFailed {
            throw .invalid("the token's signature does not verify")
        } catch {
            throw .invalid("the token's claims are malformed: sub, exp (seconds) are required; nbf, maxHeight, viewer optional")
        }
    }

    private static func format(_ date: Date) -> String { date.formatted(.iso8601) }

    /// At most 64 printable ASCII characters of what a client sent, for an error message.
    private static func printable(_ text: String) -> String {
        String(text.unicodeScalars.prefix(64).map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "?" })
    }
}
