/// A `p`'s text as WebVTT cue payloads: XML white space collapsed (each run one space, none
/// at the start or end of a line); `xml:space="preserve"` makes a line feed a line break
/// (its runs of spaces still collapse, as WebVTT shows them anyway); `<br/>` a line break;
/// empty lines left out (one would end the cue); italic, bold and underline as `<i>`, `<b>`,
/// `<u>`, closed on the line they open on; `&`, `<`, `>` escaped.
enum TTMLText {
    struct Emphasis: OptionSet {
        let rawValue: Int
        static let italic = Emphasis(rawValue: 1), bold = Emphasis(rawValue: 2), underline = Emphasis(rawValue: 4)
        private static let tags: [(Emphasis, String)] = [(.italic, "i"), (.bold, "b"), (.underline, "u")]

        init(rawValue: Int) {
            self.rawValue = rawValue
        }

        init(_ style: [String: String]) {
            rawValue = 0
            if style["fontStyle"] == "italic" || style["fontStyle"] == "oblique" { insert(.italic) }
            if style["fontWeight"] == "bold" { insert(.bold) }
            if style["textDecoration"]?.split(separator: " ").contains("underline") == true { insert(.underline) }
        }

        var opening: String { Self.tags.filter { contains($0.0) }.map { "<\($0.1)>" }.joined() }
        var closing: String { Self.tags.reversed().filter { contains($0.0) }.map { "</\($0.1)>" }.joined() }
    }

    /// Text (nil: a line break), and when it shows (end nil: with its `p`).
    struct Piece {
        var text: String?
        var emphasis: Emphasis
        var preserve: Bool
        var begin: Double
        var end: Double?

        var isBlank: Bool { text?.allSatisfy(\.isWhitespace) ?? true }
    }

    /// The most times a `p`'s text may change (spans with times of their own) in its time.
    static let maximumChanges = 64

    /// `pieces` shown from `begin` to `end`, cut where its text changes (stretches with the
    /// same text joined); nil for more than `maximumChanges`. A `p` that ends before it
    /// begins is one stretch, for the reader to refuse.
    static func segments(_ pieces: [Piece], from begin: Double, to end: Double) -> [(start: Double, end: Double, text: String)]? {
        let changes = Set(pieces.flatMap { [$0.begin, $0.end ?? end] }.filter { $0 > begin && $0 < end }).sorted()
        guard changes.count <= maximumChanges else { return nil }
        let stops = [begin] + changes + [end]
        var segments: [(start: Double, end: Double, text: String)] = []
        for (start, stop) in zip(stops, stops.dropFirst()) {
            let text = payload(pieces.filter { $0.begin <= start && ($0.end ?? end) >= stop })
            if let last = segments.last, last.text == text {
                segments[segments.count - 1].end = stop
            } else {
                segments.append((start, stop, text))
            }
        }
        return segments
    }

    /// The text of `pieces`; cut short once it holds more than `SubtitleReading.maximumCueText`
    /// characters other than white space (too long to be kept, whatever follows).
    static func payload(_ pieces: [Piece]) -> String {
        var lines: [[(Character, Emphasis)]] = [[]], shown = 0
        func breakLine() {
            if !lines[lines.count - 1].isEmpty { lines.append([]) }
        }
        pieces: for piece in pieces {
            guard let text = piece.text else {
                breakLine()
                continue
            }
            for character in text {
                if piece.preserve, character.isNewline {
                    breakLine()
                } else if character == " " || character == "\t" || character.isNewline {
                    if let last = lines[lines.count - 1].last, last.0 != " " { lines[lines.count - 1].append((" ", piece.emphasis)) }
                } else {
                    lines[lines.count - 1].append((character, piece.emphasis))
                    shown += 1
                    if shown > SubtitleReading.maximumCueText { break pieces }
                }
            }
        }
        return lines.map(line).filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// A line of text trimmed, with its tags.
    private static func line(_ characters: [(Character, Emphasis)]) -> String {
        let trimmed = characters.drop { $0.0.isWhitespace }.reversed().drop { $0.0.isWhitespace }.reversed()
        var output = "", open: Emphasis = []
        for (character, emphasis) in trimmed {
            if emphasis != open {
                output += open.closing + emphasis.opening
                open = emphasis
            }
            output += SubtitleText.escaped(character)
        }
        return output + open.closing
    }
}
