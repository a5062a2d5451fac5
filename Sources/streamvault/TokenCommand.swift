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
        guard Self.seconds(ttl) != nil else { throw ValidationError("--ttl must be a number and s, m, h or d: 90s, 30m, 1h, 7d") }
        if let maxHeight, maxHeight <= 0 { throw ValidationError("--max-height must be above 0") }
    }

    func run() async throws {
        do {
            let key = try PlaybackSigningKey(json: Data(contentsOf: URL(fileURLWithPath: signingKey)))
            let claims = PlaybackClaims(subject: id, expires: Date().addingTimeInterval(Self.seconds(ttl) ?? 3600),
                                        maxHeight: maxHeight, viewer: viewer)
            print(try await key.sign(claims))
        } catch let problem as PlaybackKeySet.Problem {
            throw OperationFailed("\(signingKey): \(problem)")
        } catch {
            throw OperationFailed(error)
        }
    }

    /// `90s`, `30m`, `1h`, `7d` in seconds.
    static func seconds(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let amount = Double(text.dropLast()), amount > 0 else { return nil }
        let scale: Double? = ["s": 1, "m": 60, "h": 3600, "d": 86400][unit]
        return scale.map { amount * $0 }
    }
}
