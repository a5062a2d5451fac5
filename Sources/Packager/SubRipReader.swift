/// SubRip (`.srt`) as players read it, not as its loose specification says: an index line
/// that is missing, wrong or repeated is ignored; `,`, `.` or `:` before the milliseconds,
/// one to three of their digits, hours of one or more digits; stray blank lines; a cue whose
/// timing line cannot be read is left out alone (and its lines are never shown); a timing
/// line inside a cue's text (a blank line forgotten) starts the next cue. `<i>`, `<b>`, `<u>`
/// are kept, `<font>` and other tags dropped, `{\an8}`-style position tags mapped to cue
/// settings, `&`, `<`, `>` escaped for WebVTT.
enum SubRipReader {
    static func read(_ text: String) -> SubtitleReading {
        var reading = SubtitleReading()
        for block in SubtitleLines(text).blocks {
            let lines = block.lines
            guard let firstTiming = lines.firstIndex(where: { $0.contains("-->") }) else {
                if !(lines.count == 1 && isIndex(lines[0])) { reading.drop(block.line, "has no timing line") }
                continue
            }
            let before = lines[..<firstTiming]
            if before.count > 1 || (before.count == 1 && !isIndex(before[before.startIndex])) {
                reading.drop(block.line, "lines before its timing line that are not an index were left out")
            }
            // Each line with `-->` starts a cue (a blank line forgotten before it), readable or not.
            var position = firstTiming
            while position < lines.endIndex {
                let next = lines[(position + 1)...].firstIndex { $0.contains("-->") } ?? lines.endIndex
                var textLines = Array(lines[(position + 1)..<next])
                if next != lines.endIndex, let last = textLines.last, isIndex(last) { textLines.removeLast() }
                if let (start, end) = timing(lines[position]) {
                    let (text, settings) = Self.text(textLines)
                    reading.keep(SubtitleCue(start: start, end: end, text: text, settings: settings), line: block.line + position)
                } else {
                    reading.drop(block.line + position, "its timing line \"\(lines[position].prefix(60))\" cannot be read")
                }
                position = next
            }
        }
        return reading
    }

    /// A cue number.
    static func isIndex(_ line: Substring) -> Bool {
        let text = line.trimmingWhitespace
        return !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `00:00:01,600 --> 00:00:04,200` (and its lenient forms), with optional `X1:… Y1:…`
    /// coordinates after it (ignored).
    static func timing(_ line: Substring) -> (Double, Double)? {
        let parts = line.split(separator: "-->", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2,
              let start = timestamp(parts[0].trimmingWhitespace),
              let end = timestamp(parts[1].trimmingWhitespace.split(whereSeparator: \.isWhitespace).first ?? "") else { return nil }
        return (start, end)
    }

    /// `h:mm:ss,mmm`, `hh:mm:ss.mmm`, `hh:mm:ss:mmm`, `mm:ss,mmm`, or without milliseconds.
    static func timestamp(_ text: some StringProtocol) -> Double? {
        let fields = text.split(omittingEmptySubsequences: false) { $0 == ":" || $0 == "," || $0 == "." }
        guard (2...4).contains(fields.count), fields.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else {
            return nil
        }
        let numbers = fields.map { Double($0)! }
        let hasMilliseconds = fields.count == 4 || (fields.count == 3 && text.contains(where: { $0 == "," || $0 == "." }))
        let clock = hasMilliseconds ? Array(numbers.dropLast()) : numbers
        guard clock.dropFirst().allSatisfy({ $0 < 60 }) else { return nil }
        var seconds = clock.reduce(0) { $0 * 60 + $1 }
        if hasMilliseconds {
            let digits = fields.last!
            seconds += numbers.last! / pow10(digits.count)
        }
        return seconds
    }

    private static func pow10(_ count: Int) -> Double { [1, 10, 100, 1000, 10000][count] }

    /// The cue's lines as a WebVTT payload, and the settings its position tag asks for.
    static func text(_ lines: [Substring]) -> (String, String?) {
        var settings: String?
        let text = lines.map { line -> String in
            var output = "", rest = line[...]
            // False once a `{` or `<` has no closer after it: nor will a later one (a long line is walked once).
            var bracesClose = true, anglesClose = true
            while let character = rest.first {
                if character == "{", bracesClose {
                    guard let close = rest.firstIndex(of: "}") else { bracesClose = false; continue }
                    let tag = rest[rest.index(after: rest.startIndex)..<close]
                    if tag.hasPrefix("\\an"), let position = Int(tag.dropFirst(3)), (1...9).contains(position) { settings = alignment(position) }
                    rest = rest[rest.index(after: close)...]
                } else if character == "<", anglesClose {
                    guard let close = rest.firstIndex(of: ">") else { anglesClose = false; continue }
                    let tag = rest[rest.index(after: rest.startIndex)..<close].lowercased()
                    if ["i", "b", "u", "/i", "/b", "/u"].contains(tag) { output += "<\(tag)>" }
                    rest = rest[rest.index(after: close)...]
                } else {
                    output += SubtitleText.escaped(character)
                    rest = rest.dropFirst()
                }
            }
            return output.trimmingWhitespace
        }.filter { !$0.isEmpty }.joined(separator: "\n")
        return (WebVTTReader.balanced(text), settings)
    }

    /// `{\an1}`…`{\an9}` (the numeric keypad) as WebVTT cue settings; nil for the bottom
    /// centre, every player's default.
    static func alignment(_ position: Int) -> String? {
        let line = position >= 7 ? "line:0" : position >= 4 ? "line:50%" : nil
        let align = [1: "start", 4: "start", 7: "start", 3: "end", 6: "end", 9: "end"][position].map { "align:\($0)" }
        let settings = [line, align].compactMap { $0 }.joined(separator: " ")
        return settings.isEmpty ? nil : settings
    }
}

extension StringProtocol {
    /// The text without white space at its ends (found from each end: a long line is not walked twice).
    var trimmingWhitespace: String {
        let start = firstIndex { !$0.isWhitespace } ?? endIndex
        let end = self[start...].lastIndex { !$0.isWhitespace }.map(index(after:)) ?? start
        return String(self[start..<end])
    }
}
