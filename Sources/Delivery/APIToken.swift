import Crypto
import Foundation
import HTTPTypes

/// A secret kept in a file of the vault (the API token, the webhook key): read, or made at
/// first start (32 random bytes in hex, mode 0600).
public enum SecretFile {
    public static func loadOrCreate(at url: URL) throws -> String {
        if let text = try? String(contentsOf: url, encoding: .utf8) {
            let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if !token.isEmpty { return token }
        }
        var generator = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
        guard FileManager.default.createFile(atPath: url.path, contents: Data((token + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: url.path])
        }
        return token
    }
}

/// The bearer token that the API's changes require (`POST /api/jobs`, `PATCH`/`DELETE`,
/// webhook deliveries): `--api-token`, or `<root>/api-token` (`SecretFile`).
enum APIToken {
    /// Refuses a request without `Authorization: Bearer <token>` (401), comparing in
    /// constant time (HMACs of both, so neither length nor content leaks through timing).
    static func require(_ token: String, in headers: HTTPFields) throws {
        let given = headers[.authorization].flatMap { $0.hasPrefix("Bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        let key = SymmetricKey(size: .bits256)
        let expected = HMAC<SHA256>.authenticationCode(for: Data(token.utf8), using: key)
        guard HMAC<SHA256>.isValidAuthenticationCode(expected, authenticating: Data(given.utf8), using: key) else {
            throw APIError(.unauthorized, code: "unauthorized", "an Authorization: Bearer <token> header with the API token is required")
        }
    }
}
