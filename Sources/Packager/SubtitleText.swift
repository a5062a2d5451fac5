import Foundation

/// The pure text work of subtitles, apart from libav (and fuzzed on its own, `make fuzz`):
/// plain text escaped for WebVTT, an ASS event's text to a WebVTT payload and cue settings.
enum SubtitleText {
    /// A character of plain text, safe in a WebVTT payload. By its scalars: a character may
    /// hold `>` and a combining mark after it, or a prepended mark before `<`.
    static func escaped(_ character: Character) -> String {
        guard character.unicodeScalars.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" }) else { return String(character) }
        return character.unicodeScalars.map { scalar in
            switch scalar {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            default: String(scalar)
            }
        }.joined()
    }

    /// The text of an ASS dialogue line (`ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text`,
    /// as Matroska holds it) as a WebVTT cue payload, by `webVTT(fromASS:)` with no styles.
    static func webVTT(fromDialogue dialogue: String) -> String {
        let fields = dialogue.split(separator: ",", maxSplits: 8, omittingEmptySubsequences: false)
        return webVTT(fromASS: fields.count == 9 ? fields[8] : Substring(dialogue)).text
    }

    /// An ASS event's Text as a WebVTT payload and cue settings: override blocks dropped but
    /// for `\i`, `\b` (and its weights), `\u` and `\r` (a style's emphasis again), `\an`, `\a`
    /// and `\pos`, `\move` (the first of each counts, as in libass); `\N` and `\n` line breaks,
    /// `\h` a no-break space; drawings (`\p1`…`\p0`) left out; `&`, `<`, `>` escaped. The
    /// event's `style` gives the emphasis its text starts with and its alignment; `script`,
    /// the resolution `\pos` counts in and the styles `\r` names.
    static func webVTT(fromASS text: Substring, style: ASSReader.Style = ASSReader.Style(),
                       in script: ASSReader.Script = ASSReader.Script()) -> (text: String, settings: String?) {
        var event = ASSEvent(style: style, script: script)
        var rest = text, blocksClose = true  // false once a `{` has no `}` after it: nor will a later one
        while let character = rest.first {
            rest = rest.dropFirst()
            if character == "{", blocksClose {
                if let close = rest.firstIndex(of: "}") {
                    event.apply(block: rest[..<close])
                    rest = rest[rest.index(after: close)...]
                    continue
                }
                blocksClose = false
            }
            if character == "\\", let escape = rest.first, "Nnh".contains(escape) {
                rest = rest.dropFirst()
                event.write(escape == "h" ? "\u{00A0}" : "\n")
            } else {
                event.write(character)
            }
        }
        return (event.payload.text, event.settings)
    }

    /// A WebVTT cue payload written a character at a time while a file's markup sets italic,
    /// bold and underline on and off: a tag opens before the first character it applies to and
    /// closes as soon as it is set off; a line closes its tags and the next reopens them, so
    /// lines stand alone: each is trimmed, and one that shows nothing is left out.
    struct Payload {
        private var finished = "", line = "", open: [Character] = [], pending: [Character] = []

        /// `"i"`, `"b"` or `"u"` on or off.
        mutating func set(_ tag: Character, _ on: Bool) {
            if on {
                if !open.contains(tag), !pending.contains(tag) { pending.append(tag) }
            } else {
                if let index = open.firstIndex(of: tag) { close(from: index) }
                pending.removeAll { $0 == tag }
            }
        }

        /// A character of plain text (escaped here), or `"\n"` to end the line.
        mutating func write(_ character: Character) {
            if character == "\n" { return endLine() }
            for tag in pending { line += "<\(tag)>" }
            open += pending
            pending = []
            line += SubtitleText.escaped(character)
        }

        /// A space in the tags open now, not opening those set since: the white space between
        /// a word and the next, whatever tags the next one opens.
        mutating func space() {
            line += " "
        }

        var text: String {
            var payload = self
            payload.endLine()
            return payload.finished
        }

        private mutating func endLine() {
            close(from: 0)
            let trimmed = line.trimmingWhitespace
            if Self.shows(trimmed) { finished += finished.isEmpty ? trimmed : "\n" + trimmed }
            line = ""
        }

        /// Closes the open tags from `index` up, innermost first; they reopen at the next character.
        private mutating func close(from index: Int) {
            for tag in open[index...].reversed() { line += "</\(tag)>" }
            pending = open[index...] + pending
            open.removeSubrange(index...)
        }

        /// Whether a line shows anything: text other than white space outside its tags.
        private static func shows(_ line: String) -> Bool {
            var inTag = false
            return line.unicodeScalars.contains { scalar in
                if scalar == "<" || scalar == ">" {
                    inTag = scalar == "<"
                    return false
                }
                return !inTag && !scalar.properties.isWhitespace
            }
        }
    }
}

/// An ASS event's override tags as they apply, one by one, to its payload and placement.
private struct ASSEvent {
    let style: ASSReader.Style, script: ASSReader.Script
    var payload = SubtitleText.Payload()
    var drawing = false, alignment: Int?, position: (x: Double, y: Double)?

    init(style: ASSReader.Style, script: ASSReader.Script) {
        (self.style, self.script) = (style, script)
        emphasize(style)
    }

    mutating func write(_ character: Character) {
        if !drawing { payload.write(character) }
    }

    /// An override block's tags, each after a backslash (before the first, a comment).
    mutating func apply(block: Substring) {
        var rest = block
        while let slash = rest.firstIndex(of: "\\") {
            rest = rest[rest.index(after: slash)...]
            apply(rest.prefix { $0 != "\\" })
        }
    }

    /// One tag of an override block (`i1`, `b700`, `an8`, `pos(320,40)`, `rSigns`…); those
    /// WebVTT has no word for (fonts, colours, motion, karaoke's `\k`) change nothing.
    mutating func apply(_ tag: Substring) {
        let name = tag.prefix(while: \.isLetter), argument = tag[name.endIndex...]
        switch name {
        case "i": payload.set("i", Int(argument).map { $0 != 0 } ?? style.italic)
        case "u": payload.set("u", Int(argument).map { $0 != 0 } ?? style.underline)
        case "b": payload.set("b", Int(argument).map(ASSReader.isBold) ?? style.bold)
        case "an": if alignment == nil, let value = Int(argument), (1...9).contains(value) { alignment = value }
        case "a": if alignment == nil, let value = Int(argument) { alignment = ASSReader.numpad(legacy: value) }
        case "pos", "move": if position == nil { position = Self.point(argument) }
        case "p": if let level = Int(argument) { drawing = level > 0 }
        case _ where name.first == "r": emphasize(script.styles[tag.dropFirst().trimmingWhitespace] ?? style)
        default: break
        }
    }

    private mutating func emphasize(_ style: ASSReader.Style) {
        payload.set("b", style.bold)
        payload.set("i", style.italic)
        payload.set("u", style.underline)
    }

    /// The first point of `(x,y…)`.
    private static func point(_ argument: Substring) -> (x: Double, y: Double)? {
        let numbers = argument.filter { !"() ".contains($0) }.split(separator: ",", maxSplits: 2).prefix(2)
            .compactMap { Double($0) }.filter(\.isFinite)
        return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
    }

    /// WebVTT cue settings for where the event shows: by its alignment (the numeric keypad), or
    /// with `\pos` the point as `position` and `line` percentages of the script's resolution,
    /// the alignment telling which corner or edge of the cue sits on it.
    var settings: String? {
        let alignment = alignment ?? style.alignment
        guard let position else { return SubRipReader.alignment(alignment) }
        let line = ["end", "center", nil][(alignment - 1) / 3].map { ",\($0)" } ?? ""
        let align = ["start", nil, "end"][(alignment - 1) % 3].map { " align:\($0)" } ?? ""
        return "position:\(Self.percent(position.x / script.width)) line:\(Self.percent(position.y / script.height))\(line)\(align)"
    }

    /// `0.1042` as `10.42%`, kept within the screen.
    private static func percent(_ fraction: Double) -> String {
        var text = String(format: "%.2f", min(100, max(0, fraction * 100)))
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text + "%"
    }
}
