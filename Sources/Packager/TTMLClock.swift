/// TTML time expressions (TTML1 §10.3.1) as seconds: clock times `hh:mm:ss`,
/// `hh:mm:ss.fraction`, `hh:mm:ss:frames`, `hh:mm:ss:frames.subframes`, offset times
/// `N.Nh|m|s|ms|f|t`, by the parameters on the root: `ttp:frameRate` (30 when not given)
/// times `ttp:frameRateMultiplier` is the frame rate, `ttp:subFrameRate` (1) and
/// `ttp:tickRate` (the frame rate times the sub-frame rate when a frame rate is given, else
/// 1, as TTML says). With `ttp:timeBase="smpte"` a clock time is a SMPTE time code: a
/// count of frames at the nominal rate, `(3600h + 60m + s) × frameRate + frames`, less
/// those `ttp:dropMode` skips by the total minutes M = 60h + m — `dropNTSC` 2 × (M − ⌊M/10⌋)
/// (frames 0 and 1 of each minute but every tenth), `dropPAL` 4 × (⌊M/2⌋ − ⌊M/20⌋) (frames
/// 0 to 3 of each even minute but every twentieth) — divided by the frame rate (29.97 for
/// 30 × 1000/1001). The `clock` time base is read as `media`.
struct TTMLClock {
    struct Unreadable: Error {
        var reason: String
    }

    /// The largest time read (about 3 years): beyond it an expression is unreadable.
    static let maximum = 1e8

    private var frameRate = 30.0, nominalFrameRate = 30.0, subFrameRate = 1.0, tickRate = 1.0
    private var smpte = false
    /// Frames dropped at the start of a minute, and which minutes keep theirs.
    private var dropped = 0.0, everyMinutes = 1.0, keptEvery = 1.0

    init(root: XMLTree.Element) {
        let rate = root["frameRate"].flatMap(Self.positive)
        nominalFrameRate = rate ?? 30
        let multiplier = root["frameRateMultiplier"]?.split(separator: " ").compactMap { Self.positive(String($0)) }
        frameRate = nominalFrameRate * (multiplier.map { $0.count == 2 ? $0[0] / $0[1] : $0.first ?? 1 } ?? 1)
        subFrameRate = root["subFrameRate"].flatMap(Self.positive) ?? 1
        tickRate = root["tickRate"].flatMap(Self.positive) ?? (rate == nil ? 1 : frameRate * subFrameRate)
        smpte = root["timeBase"] == "smpte"
        switch root["dropMode"] {
        case "dropNTSC": (dropped, everyMinutes, keptEvery) = (2, 1, 10)
        case "dropPAL": (dropped, everyMinutes, keptEvery) = (4, 2, 20)
        default: break
        }
    }

    /// The `begin` of `element` counted from `base`, and its end: the earlier of `base` +
    /// `end` and its begin + `dur`, nil when it gives neither.
    func interval(of element: XMLTree.Element, from base: Double) throws(Unreadable) -> (begin: Double, end: Double?) {
        let begin = base + (try time("begin", of: element) ?? 0)
        let ends = [try time("end", of: element).map { base + $0 }, try time("dur", of: element).map { begin + $0 }]
        return (begin, ends.compactMap { $0 }.min())
    }

    private func time(_ attribute: String, of element: XMLTree.Element) throws(Unreadable) -> Double? {
        guard let expression = element[attribute] else { return nil }
        guard let seconds = seconds(expression) else { throw Unreadable(reason: "its \(attribute) \"\(expression.prefix(60))\" cannot be read") }
        return seconds
    }

    func seconds(_ expression: String) -> Double? {
        let text = expression.trimmingWhitespace
        guard let seconds = text.contains(":") ? clockTime(text) : offsetTime(text), seconds.isFinite, seconds <= Self.maximum else { return nil }
        return seconds
    }

    /// `12.5s`, `3m`, `1.5h`, `40ms`, `25f` (frames), `10000000t` (ticks).
    private func offsetTime(_ text: String) -> Double? {
        let number = text.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        guard let count = Self.decimal(number) else { return nil }
        switch text.dropFirst(number.count) {
        case "h": return count * 3600
        case "m": return count * 60
        case "s": return count
        case "ms": return count / 1000
        case "f": return count / frameRate
        case "t": return count / tickRate
        default: return nil
        }
    }

    /// `hh:mm:ss`, `hh:mm:ss.fraction` (or `,fraction`), `hh:mm:ss:frames[.subframes]`.
    private func clockTime(_ text: String) -> Double? {
        let fields = text.split(separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3 || fields.count == 4 else { return nil }
        let secondsField = fields[2].split(omittingEmptySubsequences: false) { $0 == "." || $0 == "," }
        let frameField = fields.count == 4 ? fields[3].split(separator: ".", omittingEmptySubsequences: false) : []
        guard let hours = Self.decimal(fields[0], integer: true),
              let minutes = Self.decimal(fields[1], integer: true), minutes < 60, fields[1].count <= 2,
              let seconds = Self.decimal(secondsField[0], integer: true), seconds < 60, secondsField[0].count <= 2,
              secondsField.count <= 2, frameField.count <= 2, fields.count == 3 || secondsField.count == 1 else { return nil }
        let fraction = secondsField.count == 2 ? Self.decimal("0." + secondsField[1]) : 0
        let frames = frameField.isEmpty ? 0 : Self.decimal(frameField[0], integer: true)
        let subframes = frameField.count == 2 ? Self.decimal(frameField[1], integer: true) : 0
        guard let fraction, let frames, let subframes else { return nil }
        let whole = hours * 3600 + minutes * 60 + seconds
        let partial = (frames + subframes / subFrameRate) / frameRate
        guard smpte else { return whole + fraction + partial }
        let totalMinutes = hours * 60 + minutes
        let skipped = dropped * ((totalMinutes / everyMinutes).rounded(.down) - (totalMinutes / keptEvery).rounded(.down))
        return (whole * nominalFrameRate - skipped) / frameRate + partial + fraction
    }

    /// `12` or `12.5` (digits only, no sign or exponent); `integer`: no fraction.
    private static func decimal(_ text: some StringProtocol, integer: Bool = false) -> Double? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 1 || (parts.count == 2 && !integer),
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        return Double(String(text))
    }

    private static func positive(_ text: String) -> Double? {
        decimal(text.trimmingWhitespace).flatMap { $0 > 0 ? $0 : nil }
    }
}
