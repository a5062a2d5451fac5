import Crypto
import Foundation

/// `StreamVault-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`
/// (SPEC §15): the receiver recomputes it over the raw body and refuses an old `t`.
public enum WebhookSignature {
    public static func header(secret: String, body: Data, at time: Date) -> String {
        let seconds = Int(time.timeIntervalSince1970)
        let signed = Data("\(seconds).".utf8) + body
        let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(seconds),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }
}

/// When a failed delivery is tried again (SPEC §15): 1 s after the first attempt, doubling,
/// at most 10 min apart, for 24 h after the event; nil once that is past (given up).
public enum WebhookBackoff {
    public static let first: TimeInterval = 1
    public static let longest: TimeInterval = 600
    public static let giveUpAfter: TimeInterval = 86_400

    /// After `attempts` failed attempts (1 for the first) of an event made at `createdAt`.
    public static func retryAt(after attempts: Int, createdAt: Date, now: Date) -> Date? {
        let wait = min(longest, first * pow(2, Double(max(0, attempts - 1))))
        let next = now.addingTimeInterval(wait)
        return next.timeIntervalSince(createdAt) > giveUpAfter ? nil : next
    }
}
