/// ASS and SSA (v4+ and v4) as libass and VSFilter read them. [Script Info]'s PlayResX and
/// PlayResY give the resolution `\pos` counts in (384×288 when neither is given; one alone,
/// the other at 4:3). A style's Bold, Italic and Underline wrap its events' text in `<b>`,
/// `<i>`, `<u>`; its Alignment becomes cue settings (the numeric keypad in [V4+ Styles];
/// in [V4 Styles], SSA's 1–3 bottom, +4 top, +8 middle). [Events] fields come in the order
/// its Format line names (v4+'s when it has none), Text last, so its commas stay. Only
/// Dialogue lines show, their override tags read by `SubtitleText.webVTT(fromASS:)`, in start
/// order (files need not be in order), and a line shown on several layers (outline, shadow,
/// glow: the same text at the same times) shows once. Times are `H:MM:SS.CC`, hours of one
/// to four digits, centiseconds or milliseconds (a fraction, not libass's centiseconds
/// whatever their digits). A line whose times cannot be read or that lacks fields is left out alone.
enum ASSReader {
    /// What a style gives its events: emphasis, and where they show on the numeric keypad.
    struct Style: Sendable, Equatable {
        var bold = false, italic = false, underline = false
        var alignment = 2
    }

    /// What a script's header tells its events: the resolution `\pos` counts in, its styles.
    struct Script: Sendable {
        var width = 384.0, height = 288.0
        var styles: [String: Style] = [:]
    }

    static func read(_ text: String) -> SubtitleReading {
        var reading = SubtitleReading()
        let file = File(text, reading: &reading)
        guard let events = file.eventsLine else {
            reading.note(1, "has no [Events] section")
            return reading
        }
        if file.dialogues.isEmpty { reading.note(events, "its [Events] section has no Dialogue line") }
        var shown = Set<Shown>()
        for (line, fields) in file.dialogues {
            do {
                let cue = try cue(fields, columns: file.eventColumns, script: file.script)
                if shown.insert(Shown(start: cue.start, end: cue.end, text: cue.text)).inserted { reading.keep(cue, line: line) }
            } catch {
                reading.drop(line, error.reason)
            }
        }
        reading.cues.sort { $0.start < $1.start }
        return reading
    }

    /// Whether a style's Bold or a `\b` shows bold: 1, -1 (SSA's true), or a weight of 700 and more.
    static func isBold(_ weight: Int) -> Bool {
        weight == 1 || weight == -1 || weight >= 700
    }

    /// SSA v4's alignment (1–3 bottom left, centre, right; +4 top, +8 middle) on the keypad.
    static func numpad(legacy value: Int) -> Int? {
        guard value >= 1, (value - 1) % 4 < 3, (value - 1) / 4 < 3 else { return nil }
        return (value - 1) % 4 + 1 + [0, 6, 3][(value - 1) / 4]
    }

    /// The lines of a script the reading needs, gathered in one pass: header, styles, events.
    private struct File {
        var script = Script()
        var eventColumns = EventColumns.v4Plus
        var eventsLine: Int?
        var dialogues: [(line: Int, fields: Substring)] = []

        init(_ text: String, reading: inout SubtitleReading) {
            var section = "", styleColumns = ASSReader.styleColumns, resolution: (x: Double?, y: Double?) = (nil, nil)
            for (index, line) in SubtitleLines(text).lines.enumerated() {
                let line = line.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
                if line.hasPrefix("[") {
                    section = line.trimmingWhitespace.lowercased()
                    if section == "[events]" { eventsLine = index + 1 }
                    styleColumns = section == "[v4 styles]" ? ASSReader.legacyStyleColumns : ASSReader.styleColumns
                    continue
                }
                guard let colon = line.firstIndex(of: ":") else { continue }
                let key = line[..<colon].trimmingWhitespace.lowercased(), value = line[line.index(after: colon)...].drop(while: \.isWhitespace)
                switch (section, key) {
                case ("[script info]", "playresx"): resolution.x = Int(value.trimmingWhitespace).flatMap { $0 > 0 ? Double($0) : nil }
                case ("[script info]", "playresy"): resolution.y = Int(value.trimmingWhitespace).flatMap { $0 > 0 ? Double($0) : nil }
                case ("[v4+ styles]", "format"), ("[v4 styles]", "format"): styleColumns = columns(value)
                case ("[v4+ styles]", "style"), ("[v4 styles]", "style"):
                    if let named = style(value, columns: styleColumns, legacy: section == "[v4 styles]") { script.styles[named.name] = named.style }
                case ("[events]", "format"):
                    if let columns = EventColumns(columns(value)) {
                        eventColumns = columns
                    } else {
                        reading.note(index + 1, "its Format line names no Start, End or Text; the usual order is read")
                    }
                case ("[events]", "dialogue"): dialogues.append((index + 1, value))
                default: break
                }
            }
            (script.width, script.height) = switch resolution {
            case let (x?, y?): (x, y)
            case let (x?, nil): (x, x == 1280 ? 1024 : x * 3 / 4)
            case let (nil, y?): (y == 1024 ? 1280 : y * 4 / 3, y)
            case (nil, nil): (384, 288)
            }
        }
    }

    /// Where an event's fields are, by its Format line; Text is the last (the rest of the line).
    private struct EventColumns {
        let start: Int, end: Int, style: Int?, count: Int

        init?(_ names: [String]) {
            guard let text = names.firstIndex(of: "text"), let start = names[..<text].firstIndex(of: "start"),
                  let end = names[..<text].firstIndex(of: "end") else { return nil }
            (self.start, self.end, style, count) = (start, end, names[..<text].firstIndex(of: "style"), text + 1)
        }

        static let v4Plus = EventColumns(columns("Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text"))!
    }

    /// The styles' columns when a section has no Format line: v4+'s, and SSA v4's.
    private static let styleColumns = columns("Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding")
    private static let legacyStyleColumns = columns("Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, TertiaryColour, BackColour, Bold, Italic, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, AlphaLevel, Encoding")

    /// A Format line's column names, lowercased (64 at most: a hostile line may name millions).
    private static func columns(_ format: Substring) -> [String] {
        format.split(separator: ",", maxSplits: 64, omittingEmptySubsequences: false).prefix(64).map { $0.trimmingWhitespace.lowercased() }
    }

    /// A Style line's name, emphasis and alignment.
    private static func style(_ line: Substring, columns: [String], legacy: Bool) -> (name: String, style: Style)? {
        let fields = line.split(separator: ",", maxSplits: max(0, columns.count - 1), omittingEmptySubsequences: false)
        func number(_ column: String) -> Int? {
            columns.firstIndex(of: column).flatMap { $0 < fields.count ? Int(fields[$0].trimmingWhitespace) : nil }
        }
        guard let name = columns.firstIndex(of: "name").flatMap({ $0 < fields.count ? fields[$0].trimmingWhitespace : nil }) else { return nil }
        var style = Style()
        style.bold = number("bold").map(isBold) ?? false
        style.italic = (number("italic") ?? 0) != 0
        style.underline = (number("underline") ?? 0) != 0
        if let alignment = number("alignment").flatMap({ legacy ? numpad(legacy: $0) : (1...9).contains($0) ? $0 : nil }) {
            style.alignment = alignment
        }
        return (name, style)
    }

    /// A Dialogue line's cue, its style the one it names, else Default.
    private static func cue(_ line: Substring, columns: EventColumns, script: Script) throws(Unreadable) -> SubtitleCue {
        let fields = line.split(separator: ",", maxSplits: columns.count - 1, omittingEmptySubsequences: false)
        guard fields.count == columns.count else { throw Unreadable(reason: "has \(fields.count) of the \(columns.count) fields its Format line names") }
        guard let start = SubRipReader.timestamp(fields[columns.start].trimmingWhitespace) else {
            throw Unreadable(reason: "its start time \"\(fields[columns.start].prefix(30))\" cannot be read")
        }
        guard let end = SubRipReader.timestamp(fields[columns.end].trimmingWhitespace) else {
            throw Unreadable(reason: "its end time \"\(fields[columns.end].prefix(30))\" cannot be read")
        }
        let style = columns.style.flatMap { script.styles[fields[$0].trimmingWhitespace] } ?? script.styles["Default"] ?? Style()
        let (text, settings) = SubtitleText.webVTT(fromASS: fields[columns.count - 1], style: style, in: script)
        return SubtitleCue(start: start, end: end, text: text, settings: settings)
    }

    private struct Unreadable: Error {
        let reason: String
    }

    /// What a cue shows and when: layers showing the same show once.
    private struct Shown: Hashable {
        let start: Double, end: Double, text: String
    }
}
