import LibAV

/// One subtitle cue on the title's clock (seconds from the first video frame), its text
/// ready for WebVTT: ASS styling stripped except italic, bold and underline.
public struct SubtitleCue: Sendable, Equatable, Codable {
    public var start: Double
    public var end: Double
    public var text: String

    public init(start: Double, end: Double, text: String) {
        self.start = start
        self.end = end
        self.text = text
    }

    /// Cues from decoded events: moved by `offset` seconds onto the title's clock, an
    /// event without an end shown until the next one (5 s at most), cut to `0…duration`.
    static func cues(from events: [SubtitleEvent], offset: Double, duration: Double) -> [SubtitleCue] {
        let sorted = events.sorted { $0.start < $1.start }
        var cues: [SubtitleCue] = []
        for (index, event) in sorted.enumerated() {
            let next = sorted[(index + 1)...].first { $0.start > event.start }?.start
            let end = event.end ?? min(event.start + 5, next ?? event.start + 5)
            let cue = SubtitleCue(start: max(0, event.start - offset), end: min(duration, end - offset),
                                  text: event.dialogue.map(Self.webVTTText(fromDialogue:)).filter { !$0.isEmpty }.joined(separator: "\n"))
            if cue.end > cue.start, !cue.text.isEmpty { cues.append(cue) }
        }
        return cues
    }

    /// The text of an ASS dialogue line (`ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text`)
    /// as a WebVTT cue payload: override blocks dropped (`{\i1}` becomes `<i>`), `\N` a
    /// line break, drawings left out, `&`, `<`, `>` escaped.
    static func webVTTText(fromDialogue dialogue: String) -> String {
        let fields = dialogue.split(separator: ",", maxSplits: 8, omittingEmptySubsequences: false)
        let text = fields.count == 9 ? fields[8] : Substring(dialogue)
        var output = "", open: [Character] = [], drawing = false
        var index = text.startIndex
        func toggle(_ tag: Character, on: Bool) {
            if on, !open.contains(tag) {
                output += "<\(tag)>"
                open.append(tag)
            } else if !on, let position = open.lastIndex(of: tag) {
                for closing in open[position...].reversed() { output += "</\(closing)>" }
                open.remove(at: position)
                for reopened in open[position...] { output += "<\(reopened)>" }
            }
        }
        while index < text.endIndex {
            let character = text[index]
            if character == "{", let close = text[index...].firstIndex(of: "}") {
                for tag in text[text.index(after: index)..<close].split(separator: "\\") {
                    if let style = tag.first, "ibu".contains(style), tag.count <= 2, tag.dropFirst().allSatisfy({ $0 == "0" || $0 == "1" }) {
                        toggle(style, on: tag.dropFirst() != "0")
                    } else if tag.first == "p", let level = Int(tag.dropFirst()) {
                        drawing = level > 0
                    }
                }
                index = text.index(after: close)
                continue
            }
            if character == "\\", let next = text[text.index(after: index)...].first, "Nnh".contains(next) {
                if !drawing { output += next == "h" ? "\u{00A0}" : "\n" }
                index = text.index(index, offsetBy: 2)
                continue
            }
            if !drawing {
                switch character {
                case "&": output += "&amp;"
                case "<": output += "&lt;"
                case ">": output += "&gt;"
                default: output.append(character)
                }
            }
            index = text.index(after: index)
        }
        for tag in open.reversed() { output += "</\(tag)>" }
        return output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0 != "<i></i>" && $0 != "<b></b>" && $0 != "<u></u>" }.joined(separator: "\n")
    }
}
