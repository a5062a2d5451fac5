/// SAMI (`.smi`, `.sami`) as Windows Media Player and MPC-HC read it, lenient about unclosed
/// tags. Each `<SYNC Start=ms>` (any case, quoted or not) shows its `<P>` of one language
/// class until the next SYNC that speaks to that class: one with a `<P>` of the class (only
/// `&nbsp;` ends the cue and shows nothing), text outside its paragraphs, or nothing at all.
/// The class is the one whose `lang:` in the STYLE sheet is the language asked for, else the
/// first class the sheet declares that a `<P>` uses, else the body's first `<P Class>`; a `<P>`
/// of no class shows in every language. `<br>` breaks the line; `<i>`, `<b>`, `<u>` (and `<em>`,
/// `<strong>`) are kept, `<font>` and other tags dropped; white space collapses as in HTML;
/// entities are decoded, then `&`, `<`, `>` escaped again; comments are skipped. The last
/// cue, with no SYNC after it, lasts 5 s.
enum SAMIReader {
    static func read(_ text: String) -> SubtitleReading {
        read(text, language: nil)
    }

    /// `language` (BCP 47: `en` picks `en-US`, `en-GB` an `en-US` class failing one of its own)
    /// chooses among the file's language classes.
    static func read(_ text: String, language: String?) -> SubtitleReading {
        var reading = SubtitleReading()
        var syncs = syncs(in: text, showing: languageClass(in: text, for: language), reading: &reading)
        syncs.sort { $0.start < $1.start }
        for (index, sync) in syncs.enumerated() {
            let end = index + 1 < syncs.count ? syncs[index + 1].start : sync.start + 5000
            // A SYNC at the time of the next is replaced at once.
            if end > sync.start {
                reading.keep(SubtitleCue(start: Double(sync.start) / 1000, end: Double(end) / 1000, text: sync.text), line: sync.line)
            }
        }
        return reading
    }

    /// The class shown, lowercased: see the type's documentation.
    private static func languageClass(in text: String, for language: String?) -> String? {
        var declared: [(name: String, language: String?)] = [], used = Set<String>(), first: String?
        for token in Markup(text[...]) {
            switch token {
            case let .styleSheet(sheet): declared += classes(in: sheet)
            case let .tag("p", attributes, _):
                guard let name = attribute("class", in: attributes)?.lowercased() else { continue }
                first = first ?? name
                if used.count < 1000 { used.insert(name) }  // a hostile file may name millions
            default: break
            }
        }
        let languages = declared.filter { used.contains($0.name) }
        if let language = language?.lowercased() {
            let tagged = languages.compactMap { named in named.language.map { (name: named.name, language: $0.lowercased()) } }
            let primary = language.prefix { $0 != "-" }
            if let match = tagged.first(where: { $0.language == language || $0.language.hasPrefix(language + "-") })
                ?? tagged.first(where: { $0.language.prefix { $0 != "-" } == primary }) {
                return match.name
            }
        }
        return languages.first?.name ?? first
    }

    /// A SYNC that speaks to the class shown: its start in milliseconds, its line, its text.
    private struct Sync {
        let start: Int, line: Int, text: String
    }

    private static func syncs(in text: String, showing shown: String?, reading: inout SubtitleReading) -> [Sync] {
        var syncs: [Sync] = [], sync: SyncReading?, lines = LineCounter(text: text), sawSync = false
        tokens: for token in Markup(text[...]) {
            switch token {
            case let .tag("sync", attributes, position):
                if let finished = sync?.finished { syncs.append(finished) }
                let line = lines.line(at: position)
                sawSync = true
                sync = attribute("start", in: attributes).flatMap(milliseconds).map { SyncReading(start: $0, line: line, shown: shown) }
                if sync == nil { reading.drop(line, "its <SYNC> has no Start time that can be read") }
            case .tag("/sync", _, _):
                if let finished = sync?.finished { syncs.append(finished) }
                sync = nil
            case .tag("/body", _, _), .tag("/sami", _, _): break tokens
            case let .tag(name, attributes, _): sync?.apply(name, attributes: attributes)
            case let .text(text): sync?.write(text)
            case .styleSheet: break
            }
        }
        if let finished = sync?.finished { syncs.append(finished) }
        if !sawSync { reading.note(1, "has no <SYNC> element") }
        return syncs
    }

    /// A SYNC being read: the text of its paragraphs in the class shown.
    private struct SyncReading {
        let start: Int, line: Int, shown: String?
        private var text = "", speaks = false, hasParagraph = false
        /// The paragraph being read (at first, the text before any `<P>`); nil in another class.
        private var paragraph: Paragraph? = Paragraph()

        init(start: Int, line: Int, shown: String?) {
            (self.start, self.line, self.shown) = (start, line, shown)
        }

        private static let emphasis: [Substring: Character] = ["i": "i", "em": "i", "b": "b", "strong": "b", "u": "u"]

        mutating func apply(_ tag: String, attributes: Substring) {
            let closing = tag.hasPrefix("/"), name = tag.drop { $0 == "/" }
            if name == "p" {
                endParagraph()
                let named = closing ? nil : attribute("class", in: attributes)?.lowercased()
                paragraph = named == nil || named == shown ? Paragraph() : nil
                hasParagraph = hasParagraph || !closing
                speaks = speaks || (!closing && paragraph != nil)
            } else if name == "br" {
                paragraph?.breakLine()
            } else if let emphasis = Self.emphasis[name] {
                paragraph?.payload.set(emphasis, !closing)
            }
        }

        mutating func write(_ text: Substring) {
            guard paragraph != nil else { return }
            var rest = text
            while let character = rest.first {
                if character == "&", let (decoded, end) = entity(rest) {
                    paragraph?.write(decoded)
                    rest = rest[end...]
                } else {
                    paragraph?.write(character)
                    rest = rest.dropFirst()
                }
            }
        }

        /// The SYNC read, if it speaks to the class shown.
        var finished: Sync? {
            var sync = self
            sync.endParagraph()
            return sync.speaks || !sync.hasParagraph ? Sync(start: start, line: line, text: sync.text) : nil
        }

        private mutating func endParagraph() {
            guard let shown = paragraph?.payload.text, !shown.isEmpty else { return }
            text += text.isEmpty ? shown : "\n" + shown
            speaks = true
        }
    }

    /// A paragraph's payload, its white space collapsed as HTML shows it: a run of it is one
    /// space between words, none at a line's ends.
    private struct Paragraph {
        var payload = SubtitleText.Payload()
        private var startsLine = true, spaced = false

        mutating func write(_ character: Character) {
            if character.isWhitespace, character != "\u{00A0}" {
                spaced = !startsLine
            } else {
                if spaced { payload.space() }
                payload.write(character)
                (startsLine, spaced) = (false, false)
            }
        }

        mutating func breakLine() {
            payload.write("\n")
            (startsLine, spaced) = (true, false)
        }
    }

    /// SAMI's markup as an HTML tokenizer sees it, leniently: text, tags (a `<` that opens none
    /// is text), comments skipped, a STYLE element's content as it is.
    private struct Markup: Sequence, IteratorProtocol {
        enum Token {
            /// A tag's name, lowercased (`/p` for a closing one), its attributes, where it starts.
            case tag(String, attributes: Substring, at: String.Index)
            case text(Substring)
            case styleSheet(Substring)
        }

        private var rest: Substring, inStyle = false
        /// False once a `<` has no `>` after it: nor will a later one.
        private var tagsClose = true

        init(_ text: Substring) {
            rest = text
        }

        mutating func next() -> Token? {
            while !rest.isEmpty {
                if inStyle {
                    inStyle = false
                    let end = Self.styleEnd(in: rest) ?? rest.endIndex
                    defer { rest = rest[end...] }
                    return .styleSheet(rest[..<end])
                }
                if rest.hasPrefix("<!--") {
                    let comment = rest.dropFirst(4)
                    rest = comment.firstRange(of: "-->").map { comment[$0.upperBound...] } ?? ""
                    continue
                }
                if let tag = tag() { return tag }
                let end = rest.dropFirst().firstIndex(of: "<") ?? rest.endIndex
                defer { rest = rest[end...] }
                return .text(rest[..<end])
            }
            return nil
        }

        /// The tag `rest` starts with, if it starts with one.
        private mutating func tag() -> Token? {
            let body = rest.dropFirst()
            guard rest.first == "<", tagsClose, let first = body.first, first.isLetter || first == "/" else { return nil }
            guard let close = body.firstIndex(of: ">") else {
                tagsClose = false
                return nil
            }
            let closing = first == "/", inner = body[..<close].dropFirst(closing ? 1 : 0)
            let word = inner.prefix { $0.isLetter || $0.isNumber }, name = word.lowercased()
            defer {
                rest = rest[body.index(after: close)...]
                inStyle = name == "style" && !closing
            }
            return .tag((closing ? "/" : "") + name, attributes: inner[word.endIndex...], at: rest.startIndex)
        }

        /// Where `</style` starts, in any case.
        private static func styleEnd(in text: Substring) -> Substring.Index? {
            var rest = text
            while let open = rest.firstIndex(of: "<") {
                if rest[open...].prefix(7).lowercased() == "</style" { return open }
                rest = rest[rest.index(after: open)...]
            }
            return nil
        }
    }

    /// The value of the attribute `name` (lowercase) among a tag's, quoted or not, in any case.
    private static func attribute(_ name: String, in attributes: Substring) -> Substring? {
        var rest = attributes
        while true {
            rest = rest.drop { $0.isWhitespace || $0 == "/" }
            if rest.isEmpty { return nil }
            let key = rest.prefix { !$0.isWhitespace && $0 != "=" }
            rest = rest[key.endIndex...].drop(while: \.isWhitespace)
            var value: Substring = ""
            if rest.first == "=" {
                rest = rest.dropFirst().drop(while: \.isWhitespace)
                if let quote = rest.first, quote == "\"" || quote == "'" {
                    value = rest.dropFirst().prefix { $0 != quote }
                    rest = rest[value.endIndex...].dropFirst()
                } else {
                    value = rest.prefix { !$0.isWhitespace }
                    rest = rest[value.endIndex...]
                }
            }
            if key.lowercased() == name { return value }
        }
    }

    /// `1000`, `"1000"`, `1000ms`: the digits a Start begins with.
    private static func milliseconds(_ value: Substring) -> Int? {
        let digits = value.prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty || digits.count > 10 ? nil : Int(digits)
    }

    /// The character an entity at the start of `text` stands for (`&amp;`, `&#233;`, `&#xE9;`;
    /// the named ones also without their `;`, as browsers allow), and where the text after it starts.
    private static func entity(_ text: Substring) -> (Character, Substring.Index)? {
        let body = text.dropFirst().prefix(10).prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "#") }
        let end = body.endIndex < text.endIndex && text[body.endIndex] == ";" ? text.index(after: body.endIndex) : body.endIndex
        let code: UInt32? = if body.hasPrefix("#x") || body.hasPrefix("#X") {
            UInt32(body.dropFirst(2), radix: 16)
        } else if body.hasPrefix("#") {
            UInt32(body.dropFirst(), radix: 10)
        } else {
            nil
        }
        if let code { return (code == 0 ? "\u{FFFD}" : Unicode.Scalar(code).map(Character.init) ?? "\u{FFFD}", end) }
        return named[String(body)].map { ($0, end) }
    }

    private static let named: [String: Character] = [
        "nbsp": "\u{00A0}", "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'",
        "copy": "©", "reg": "®", "trade": "™", "hellip": "…", "mdash": "—", "ndash": "–",
        "lsquo": "‘", "rsquo": "’", "ldquo": "“", "rdquo": "”", "laquo": "«", "raquo": "»",
        "iexcl": "¡", "iquest": "¿", "middot": "·", "deg": "°", "shy": "\u{00AD}",
    ]

    /// The classes a STYLE sheet declares (`.ENUSCC { Name: English; lang: en-US; }`), in
    /// order, lowercased, with their `lang` (the first hundred rules: no file has more languages).
    private static func classes(in sheet: Substring) -> [(name: String, language: String?)] {
        sheet.split(separator: "}", maxSplits: 100).compactMap { rule in
            let parts = rule.split(separator: "{", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, let selector = parts[0].split(whereSeparator: \.isWhitespace).last,
                  selector.hasPrefix("."), selector.count > 1 else { return nil }
            let language = parts[1].split(separator: ";").lazy.map { $0.split(separator: ":", maxSplits: 1) }
                .first { $0.count == 2 && $0[0].trimmingWhitespace.lowercased() == "lang" }?[1].trimmingWhitespace
            return (selector.dropFirst().lowercased(), language)
        }
    }

    /// Line numbers of positions asked for in order, each line break counted once.
    private struct LineCounter {
        let text: String
        private var index: String.Index, line = 1

        init(text: String) {
            (self.text, index) = (text, text.startIndex)
        }

        mutating func line(at position: String.Index) -> Int {
            line += text[index..<position].count { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
            index = position
            return line
        }
    }
}
