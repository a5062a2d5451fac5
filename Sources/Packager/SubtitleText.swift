import Foundation

/// The pure text work of subtitles, apart from libav (and fuzzed on its own, `make fuzz`):
/// a file's bytes to text in whatever encoding they are, an ASS dialogue line to WebVTT.
enum SubtitleText {
    /// The text of `data` in the encoding its bytes show: a byte order mark, UTF-16's zero
    /// bytes, valid UTF-8, else Windows-1252 (Latin-1's superset for Western languages).
    static func decode(_ data: Data) -> String? {
        let bytes = [UInt8](data.prefix(4))
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return String(data: data.dropFirst(3), encoding: .utf8) }
        if bytes.starts(with: [0xFF, 0xFE]) { return String(data: data.dropFirst(2), encoding: .utf16LittleEndian) }
        if bytes.starts(with: [0xFE, 0xFF]) { return String(data: data.dropFirst(2), encoding: .utf16BigEndian) }
        let sample = [UInt8](data.prefix(512))
        let zerosAtOdd = stride(from: 1, to: sample.count, by: 2).filter { sample[$0] == 0 }.count
        let zerosAtEven = stride(from: 0, to: sample.count, by: 2).filter { sample[$0] == 0 }.count
        if zerosAtOdd > sample.count / 4 { return String(data: data, encoding: .utf16LittleEndian) }
        if zerosAtEven > sample.count / 4 { return String(data: data, encoding: .utf16BigEndian) }
        if let text = String(data: data, encoding: .utf8) { return text }
        return String(data: data, encoding: .windowsCP1252) ?? String(data: data, encoding: .isoLatin1)
    }

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
