import ArgumentParser
import Delivery
import Foundation

extension PlaybackAlgorithm: ExpressibleByArgument {}

/// `streamvault keygen`: a new signing key for playback tokens (SPEC §12).
struct Keygen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a key that signs playback tokens: its private JWK, and its public part added to a key set for serve --playback-keys.")

    @Option(help: "ES256, RS256 or HS256 (a shared secret: the key set then holds it too).") var alg: PlaybackAlgorithm = .es256
    @Option(help: "The key's id (default: random).") var kid: String?
    @Option(help: "Where the private JWK is written (mode 0600); an existing file is not replaced.") var `private`: String
    @Option(help: "The JWK Set the public part is added to (made if missing).") var keys: String

    func validate() throws {
        guard !FileManager.default.fileExists(atPath: `private`) else {
            throw ValidationError("\(`private`) exists: a private key is never overwritten")
        }
        if let kid, kid.isEmpty || kid.contains(where: { $0.isWhitespace }) { throw ValidationError("--kid must be a word") }
    }

    func run() throws {
        let id = kid ?? "sv-" + (0..<6).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        do {
            let key = try PlaybackSigningKey.generate(alg, kid: id)
            let keySet = URL(fileURLWithPath: keys)
            try key.addPublicPart(toSetAt: keySet)
            try PlaybackSigningKey.write(key.privateJSON, to: URL(fileURLWithPath: `private`), mode: 0o600)
            print("key \(id) (\(alg.rawValue)): private JWK in \(`private`), public part in \(keys)")
        } catch {
            throw OperationFailed(error)
        }
    }
}
