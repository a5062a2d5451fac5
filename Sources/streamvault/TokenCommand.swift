import ArgumentParser
import Delivery
import Foundation

/// `streamvault token`: prints a playback token for a title (SPEC §12).
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a playback token for a title, a series or * (every title).")

    @Argument(help: "The title or series id, or * for every title.") var id: String
    @Option(help: "The private JWK that signs it (keygen --private).") var signingKey: String
    @Option(help: "How long it is valid: 90s, 30m, 1h, 7d.") var ttl = "1h"
    @Option(help: "The tallest variant it opens, in lines (720, 1080, 2160).") var maxHeight: Int?
    @Option(help: "Who watches, for the platform's counts.") var viewer: String?

    func validate() throws {
        guard Amounts.seconds(ttl) != nil else { throw ValidationError("--ttl must be a number and s, m, h or d: 90s, 30m, 1h, 7d") }
        if let maxHeight, maxHeight <= 0 { throw ValidationError("--max-height must be above 0") }
    }

    func run() async throws {
        do {
            let key = try PlaybackSigningKey(json: Data(contentsOf: URL(fileURLWithPath: signingKey)))
            let claims = PlaybackClaims(subject: id, expires: Date().addingTimeInterval(Amounts.seconds(ttl) ?? 3600),
                                        maxHeight: maxHeight, viewer: viewer)
            print(try await key.sign(claims))
        } catch let problem as PlaybackKeySet.Problem {
            throw OperationFailed("\(signingKey): \(problem)")
        } catch {
            throw OperationFailed(error)
        }
    }
}
