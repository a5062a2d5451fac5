import Foundation

/// The pure text work of subtitles, apart from libav (and fuzzed on its own, `make fuzz`):
/// plain text escaped for WebVTT, an ASS dialogue line to WebVTT.
enum SubtitleText {
    /// A character of plain text, safe in a WebVTT payload.
    static func escaped(_ character: Character) -> String {
        switch character {
        case "&": "&amp;"
        case "<": "&lt;"
        case ">": "&gt;"
        default: String(character)
        }
    }

    /// The text of an ASS dialogue line (`ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text`)
    /// as a WebVTT cue payload: override blocks dropped (`{\i1}` becomes `<i>`), `\N` a
    /// line break, drawings left out, `&`, `<`, `>` escaped.
    static func webVTT(fromDialogue dialogue: String) -> String {
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
                output += escaped(character)
            }
            index = text.index(after: index)
        }
        for tag in open.reversed() { output += "</\(tag)>" }
        return output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && $0 != "<i></i>" && $0 != "<b></b>" && $0 != "<u></u>" }.joined(separator: "\n")
    }
}
