import Crypto
import CryptoExtras
import Foundation
import Glibc
import JWTKit
import SwiftASN1

/// A private key that signs playback tokens (`streamvault keygen`, `streamvault token`), kept
/// as a private JWK; its public part (for HS256, the shared secret) goes into the server's
/// key set. Keys are made by swift-crypto and tokens signed by jwt-kit.
public struct PlaybackSigningKey: Sendable {
    let member: JSONWebKey
    public let algorithm: PlaybackAlgorithm
    public var kid: String { member.kid ?? "" }

    /// A new random key.
    public static func generate(_ algorithm: PlaybackAlgorithm, kid: String) throws -> PlaybackSigningKey {
        var member = JSONWebKey(kty: algorithm.keyType, kid: kid, alg: algorithm.rawValue, use: "sig")
        switch algorithm {
        case .hs256:
            member.k = Base64URL.encode(SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) })
        case .es256:
            let key = P256.Signing.PrivateKey()
            let point = key.publicKey.x963Representation.dropFirst()  // 04 ‖ x ‖ y
            member.crv = "P-256"
            member.x = Base64URL.encode(point.prefix(32))
            member.y = Base64URL.encode(point.suffix(32))
            member.d = Base64URL.encode(key.rawRepresentation)
        case .rs256:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            let numbers = try Self.rsaNumbers(pkcs1: key.derRepresentation).map(Base64URL.encode)
            (member.n, member.e, member.d, member.p, member.q, member.dp, member.dq, member.qi) =
                (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4], numbers[5], numbers[6], numbers[7])
        }
        return PlaybackSigningKey(member: member, algorithm: algorithm)
    }

    /// Reads a private JWK (`keygen --private`).
    public init(json: Data) throws(PlaybackKeySet.Problem) {
        do { member = try JSONDecoder().decode(JSONWebKey.self, from: json) } catch {
            throw .init("not a JWK: \(PlaybackKeySet.reason(error))")
        }
        guard let kid = member.kid, !kid.isEmpty else { throw .init("the key has no kid") }
        algorithm = try member.algorithm()
        guard algorithm == .hs256 ? member.k != nil : member.d != nil else {
            throw .init("key \(kid) is not a private key (no \(algorithm == .hs256 ? "k" : "d")): give the file keygen --private wrote")
        }
    }

    private init(member: JSONWebKey, algorithm: PlaybackAlgorithm) {
        self.member = member
        self.algorithm = algorithm
    }

    /// The private JWK, as written to `--private` (mode 0600).
    public var privateJSON: Data { Self.encoded(member) }

    /// What verifies its tokens: the public part, or for HS256 the secret itself.
    var publicMember: JSONWebKey {
        var member = member
        if algorithm != .hs256 { (member.d, member.p, member.q, member.dp, member.dq, member.qi) = (nil, nil, nil, nil, nil, nil) }
        return member
    }

    /// A token for `claims`, signed by jwt-kit with this key and naming it in `kid`. The key
    /// is made as the server's key set makes its keys; with its private part, it signs.
    public func sign(_ claims: PlaybackClaims) async throws -> String {
        let collection = JWTKeyCollection()
        _ = try await PlaybackKeySet.add(member, to: collection)
        return try await collection.sign(claims, kid: JWKIdentifier(string: kid))
    }

    /// Adds the public part to the JWK Set at `url` (made if missing), replacing a key of
    /// the same `kid`. The set is mode 0600 when it holds an HS256 secret.
    public func addPublicPart(toSetAt url: URL) throws {
        struct Set: Codable { var keys: [JSONWebKey] }
        var set = Set(keys: [])
        if FileManager.default.fileExists(atPath: url.path) {
            do { set = try JSONDecoder().decode(Set.self, from: Data(contentsOf: url)) } catch {
                throw PlaybackKeySet.Problem("\(url.path): not a JWK Set (\(PlaybackKeySet.reason(error))); it was left as it is")
            }
        }
        set.keys.removeAll { $0.kid == kid }
        set.keys.append(publicMember)
        let secret = set.keys.contains { $0.kty == PlaybackAlgorithm.hs256.keyType }
        try Self.write(Self.encoded(set), to: url, mode: secret ? 0o600 : 0o644)
    }

    /// Writes `data` to `url` whole (a temporary file renamed over it), with `mode`.
    public static func write(_ data: Data, to url: URL, mode: Int) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: mode]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url.path])
        }
        guard rename(temporary.path, url.path) == 0 else {
            let error = POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    private static func encoded(_ value: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(value)).map { $0 + Data("\n".utf8) } ?? Data()
    }

    /// n, e, d, p, q, dp, dq and qi of a PKCS #1 `RSAPrivateKey` (its version first), unsigned.
    static func rsaNumbers(pkcs1 der: Data) throws -> [Data] {
        let root = try DER.parse(Array(der))
        guard case .constructed(let children) = root.content else { throw ASN1Error.invalidASN1Object(reason: "not a SEQUENCE") }
        let integers: [Data] = children.compactMap { node in
            guard case .primitive(let bytes) = node.content else { return nil }
            return Data(bytes.drop { $0 == 0 })
        }
        guard integers.count >= 9 else { throw ASN1Error.invalidASN1Object(reason: "not an RSAPrivateKey") }
        return Array(integers[1...8])
    }
}
