import Foundation
import JWTKit

/// The signature algorithms a playback key may have (SPEC §12), each tied to one key type:
/// a token's `alg` must be its key's, so `none` and an HMAC keyed by a public key never verify.
public enum PlaybackAlgorithm: String, Sendable, CaseIterable, Codable {
    case hs256 = "HS256"
    case rs256 = "RS256"
    case es256 = "ES256"

    /// The JWK `kty` of its keys.
    var keyType: String {
        switch self {
        case .hs256: "oct"
        case .rs256: "RSA"
        case .es256: "EC"
        }
    }
}

/// One member of a JWK Set as written (RFC 7517/7518), before it is made a key.
struct JSONWebKey: Codable, Sendable {
    var kty: String
    var kid: String?
    var alg: String?
    var use: String?
    // EC
    var crv: String?
    var x: String?
    var y: String?
    // RSA
    var n: String?
    var e: String?
    // oct: the secret; EC and RSA: the private part.
    var k: String?
    var d: String?
    // RSA private keys' other numbers (RFC 7518 §6.3.2), which other libraries need.
    var p: String?
    var q: String?
    var dp: String?
    var dq: String?
    var qi: String?

    /// Its algorithm: the one its `alg` names, which must fit its `kty`, or its type's.
    func algorithm() throws(PlaybackKeySet.Problem) -> PlaybackAlgorithm {
        let name = kid ?? "?"
        guard let byType = PlaybackAlgorithm.allCases.first(where: { $0.keyType == kty }) else {
            throw .init("key \(name): kty \"\(kty)\" is not oct, RSA or EC")
        }
        guard let alg else { return byType }
        guard let named = PlaybackAlgorithm(rawValue: alg), named == byType else {
            throw .init("key \(name): alg \"\(alg)\" does not fit kty \"\(kty)\" (HS256 for oct, RS256 for RSA, ES256 for EC)")
        }
        return named
    }
}

/// The verification keys of `serve --playback-keys` (SPEC §12): a JWK Set whose members
/// each have a `kid`, read into jwt-kit's key collection. Which algorithm each `kid` has is
/// kept beside it, so a token naming another algorithm is refused before any signature work.
public struct PlaybackKeySet: Sendable {
    /// Why a key set (or a signing key) cannot be used, in words naming the key.
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    let algorithms: [String: PlaybackAlgorithm]
    let collection: JWTKeyCollection

    /// The key ids, sorted.
    public var keyIDs: [String] { algorithms.keys.sorted() }

    /// Reads a JWK Set (`{"keys": [...]}`). Public keys only: a member with a private part
    /// (`d`) is refused, so a signing key is never handed to the server by mistake.
    public init(json: Data) async throws(Problem) {
        struct Set: Decodable { var keys: [JSONWebKey] }
        let members: [JSONWebKey]
        do { members = try JSONDecoder().decode(Set.self, from: json).keys } catch {
            throw Problem("not a JWK Set ({\"keys\": [...]}): \(Self.reason(error))")
        }
        guard !members.isEmpty else { throw Problem("the key set holds no key") }
        let collection = JWTKeyCollection()
        var algorithms: [String: PlaybackAlgorithm] = [:]
        for member in members {
            guard let kid = member.kid, !kid.isEmpty else { throw Problem("a \(member.kty) key has no kid") }
            guard algorithms[kid] == nil else { throw Problem("kid \(kid) is used twice") }
            guard member.kty == "oct" || member.d == nil else {
                throw Problem("key \(kid) holds a private part (d): give the server public keys only")
            }
            algorithms[kid] = try await Self.add(member, to: collection)
        }
        self.algorithms = algorithms
        self.collection = collection
    }

    /// Adds one key to `collection` under its `kid`, with its algorithm fixed.
    static func add(_ member: JSONWebKey, to collection: JWTKeyCollection) async throws(Problem) -> PlaybackAlgorithm {
        let algorithm = try member.algorithm()
        let kid = member.kid ?? ""
        let identifier = JWKIdentifier(string: kid)
        do {
            switch algorithm {
            case .hs256:
                guard let secret = member.k.flatMap(Base64URL.decode), secret.count >= 32 else {
                    throw Problem("key \(kid): an HS256 secret (k) must be base64url of at least 32 bytes")
                }
                await collection.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: identifier)
            case .rs256:
                let jwk = JWK.rsa(.rs256, identifier: identifier, modulus: member.n, exponent: member.e, privateExponent: member.d)
                try await collection.add(jwk: jwk, isDefault: false)
            case .es256:
                guard member.crv == nil || member.crv == "P-256" else { throw Problem("key \(kid): ES256 needs crv P-256") }
                let jwk = JWK.ecdsa(.es256, identifier: identifier, x: member.x, y: member.y, curve: .p256, privateKey: member.d)
                try await collection.add(jwk: jwk, isDefault: false)
            }
            // A key that cannot be made fails here, at load, not at a viewer's request.
            _ = try await collection.getKey(for: identifier, alg: algorithm.rawValue)
        } catch let problem as Problem {
            throw problem
        } catch {
            throw Problem("key \(kid) (\(algorithm.rawValue)): \(reason(error))")
        }
        return algorithm
    }

    static func reason(_ error: any Error) -> String {
        if let decoding = error as? DecodingError {
            switch decoding {
            case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context):
                return context.debugDescription
            @unknown default: return "\(decoding)"
            }
        }
        return "\(error)"
    }
}

/// base64url without padding (RFC 4648 §5), as JOSE writes it.
enum Base64URL {
    static func decode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    static func encode(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
