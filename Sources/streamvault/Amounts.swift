import Foundation

/// The amounts options are written in: times (`90s`, `30m`, `24h`, `7d`) and sizes (`512MiB`,
/// `50GiB`, `1000000`).
enum Amounts {
    /// Seconds of `90s`, `30m`, `1h`, `7d` (at most ten years); nil for anything else.
    static func seconds(_ text: String) -> TimeInterval? {
        guard let unit = text.last, let amount = Double(text.dropLast()), amount > 0, amount.isFinite,
              let scale = ["s": 1.0, "m": 60, "h": 3600, "d": 86400][unit], amount * scale <= 10 * 365 * 86400 else { return nil }
        return amount * scale
    }

    /// Bytes of `1000000`, `500MB`, `512MiB`, `50GiB`, `1TiB` (at least 1); nil for anything else.
    static func bytes(_ text: String) -> Int64? {
        let digits = text.prefix { $0.isNumber || $0 == "." }
        guard let amount = Double(digits), amount > 0 else { return nil }
        let scales: [String: Double] = ["": 1, "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
                                        "KiB": 1024, "MiB": 1_048_576, "GiB": 1_073_741_824, "TiB": 1_099_511_627_776]
        guard let scale = scales[String(text.dropFirst(digits.count))], amount * scale >= 1, amount * scale < 0x1p62 else { return nil }
        return Int64(amount * scale)
    }
}
