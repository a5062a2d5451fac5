/// WebVTT by the W3C parsing rules, as lenient as browsers are: the `WEBVTT` line and its
/// header, then blocks; `NOTE`, `STYLE` and `REGION` blocks skipped; a cue's identifier kept
/// out of its text; its settings (`vertical`, `line`, `position`, `size`, `align`) kept,
/// `region` dropped (regions are not written); voice, class, ruby and timestamp spans kept
/// as they are; a cue whose timing cannot be read left out alone. Lines holding only white
/// space separate blocks, as an empty line does (files made by some tools are full of them).
enum WebVTTReader {
    static func read(_ text: String) -> SubtitleReading {
        var reading = SubtitleReading()
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let lines = SubtitleLines(body)
        guard let signature = lines.lines.first, signature.hasPrefix("WEBVTT"),
              signature.count == 6 || [" ", "\t"].contains(signature.dropFirst(6).first) else {
            reading.drop(1, "does not start with WEBVTT")
            return reading
        }
        for (index, block) in lines.blocks.enumerated() {
            if index == 0 { continue }  // the WEBVTT line and its header
            let first = block.lines[0]
            let keyword = first.prefix { !$0.isWhitespace }
            if keyword == "NOTE" || ((keyword == "STYLE" || keyword == "REGION") && !block.lines.contains(where: { $0.contains("-->") })) {
                continue
            }
            var lines = block.lines[...], line = block.line
            // An identifier may stand on the line before the timing.
            if !first.contains("-->") {
                guard lines.count > 1, lines[lines.startIndex + 1].contains("-->") else {
                    reading.drop(line, "has no timing line (\"\(first.prefix(60))\")")
                    continue
                }
                lines = lines.dropFirst()
                line += 1
            }
            while let timingLine = lines.first {
                let rest = lines.dropFirst()
                let next = rest.firstIndex { $0.contains("-->") }
                if let (start, end, settings) = Self.timing(timingLine) {
                    let text = rest[..<(next ?? rest.endIndex)].map { $0.trimmingWhitespace }.filter { !$0.isEmpty }.joined(separator: "\n")
                    reading.keep(SubtitleCue(start: start, end: end, text: text, settings: settings), line: line)
                } else {
                    reading.drop(line, "its timing line \"\(timingLine.prefix(60))\" cannot be read")
                }
                guard let next else { break }
                line += next - lines.startIndex
                lines = lines[next...]
            }
        }
        return reading
    }

    /// `start --> end [settings]`.
    static func timing(_ line: Substring) -> (Double, Double, String?)? {
        let parts = line.split(separator: "-->", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let start = SubRipReader.timestamp(parts[0].trimmingWhitespace) else { return nil }
        let after = parts[1].split(whereSeparator: \.isWhitespace)
        guard let endText = after.first, let end = SubRipReader.timestamp(endText) else { return nil }
        let known: Set<Substring> = ["vertical", "line", "position", "size", "align"]
        let settings = after.dropFirst().filter { setting in
            guard let colon = setting.firstIndex(of: ":"), colon != setting.startIndex, colon != setting.index(before: setting.endIndex) else { return false }
            return known.contains(setting[..<colon])
        }.joined(separator: " ")
        return (start, end, settings.isEmpty ? nil : settings)
    }

    /// The payload with every `<i>`, `<b>`, `<u>` closed and no closer without its opener.
    static func balanced(_ text: String) -> String {
        var output = "", open: [String] = [], rest = text[...]
        while let start = rest.range(of: "<") {
            output += rest[..<start.lowerBound]
            guard let close = rest[start.lowerBound...].firstIndex(of: ">") else {
                output += rest[start.lowerBound...]
                rest = ""
                break
            }
            let tag = String(rest[start.upperBound..<close])
            if ["i", "b", "u"].contains(tag) {
                open.append(tag)
                output += "<\(tag)>"
            } else if tag.hasPrefix("/"), ["i", "b", "u"].contains(String(tag.dropFirst())) {
                if let position = open.lastIndex(of: String(tag.dropFirst())) {
                    for closing in open[position...].reversed() { output += "</\(closing)>" }
                    for reopened in open[(position + 1)...] { output += "<\(reopened)>" }
                    open.remove(at: position)
                }
            } else {
                output += rest[start.lowerBound...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        output += rest
        for tag in open.reversed() { output += "</\(tag)>" }
        return output
    }
}
