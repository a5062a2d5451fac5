/// Scenarist SCC (`.scc`): the CEA-608 byte pairs of field 1 as words of four hex digits,
/// each line starting with the SMPTE timecode of its first word, decoded as CC1 by
/// `CEA608Decoder`, one word a frame (29.97 Hz). Timecodes are non-drop (`HH:MM:SS:FF`) or
/// drop-frame (`HH:MM:SS;FF`, `HH:MM:SS.FF`). Read as leniently as players do: the
/// `Scenarist_SCC V1.0` header may be missing (then at least one line must be timecode
/// and words), blank lines are fine, a word that is not four hex digits is left out alone
/// (its frame still passes), a line without a timecode is left out. Lines are decoded in
/// the order of their timecodes (equal ones in file order), and a line that starts before
/// the words of the one before it are all sent follows them, as an encoder sends a file.
/// A caption still on screen at the end shows four seconds (or to the last word).
enum SCCReader {
    /// A line of timecode and words (nil where a word could not be read).
    private struct Line {
        var number: Int
        var frame: Int
        var words: [UInt16?]
    }

    static let lingering = 4.0

    static func read(_ text: String) -> SubtitleReading {
        var reading = SubtitleReading(), lines: [Line] = [], hasHeader = false, isFirst = true
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for (index, line) in SubtitleLines(body).lines.enumerated() {
            let fields = line.split(whereSeparator: \.isWhitespace)
            guard let timecode = fields.first else { continue }
            if isFirst, timecode.hasPrefix("Scenarist_SCC") {
                hasHeader = true
                continue
            }
            isFirst = false
            guard let frame = frame(timecode) else {
                reading.note(index + 1, "has no timecode (\"\(line.prefix(60))\")")
                continue
            }
            let words = fields.dropFirst().map { (text: $0, value: word($0)) }
            for word in words where word.value == nil {
                reading.note(index + 1, "its word \"\(word.text.prefix(20))\" is not four hex digits")
            }
            lines.append(Line(number: index + 1, frame: frame, words: words.map(\.value)))
        }
        guard hasHeader || lines.contains(where: { $0.words.contains { $0 != nil } }) else {
            return SubtitleReading(notes: [SubtitleReading.Dropped(line: 1, reason: "is not Scenarist SCC (no header, no line of timecode and words)")])
        }
        decode(lines, into: &reading)
        return reading
    }

    /// The frame count of `HH:MM:SS:FF` (non-drop: 30 frames a timecode second) or
    /// `HH:MM:SS;FF` / `HH:MM:SS.FF` (drop-frame: labels 0 and 1 skipped each minute but
    /// every tenth).
    static func frame(_ timecode: Substring) -> Int? {
        let fields = timecode.split(omittingEmptySubsequences: false) { $0 == ":" || $0 == ";" || $0 == "." }
        guard fields.count == 4, fields.allSatisfy({ (1...2).contains($0.count) && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        let numbers = fields.map { Int($0)! }
        guard numbers[1] < 60, numbers[2] < 60, numbers[3] < 30 else { return nil }
        let minutes = numbers[0] * 60 + numbers[1]
        let frames = (minutes * 60 + numbers[2]) * 30 + numbers[3]
        let dropFrame = timecode.last { !$0.isNumber } != ":"
        return dropFrame ? frames - 2 * (minutes - minutes / 10) : frames
    }

    /// A frame's time: 1001/30000 s each.
    static func seconds(_ frame: Int) -> Double { Double(frame) * 1001 / 30000 }

    private static func word(_ text: Substring) -> UInt16? {
        guard text.count == 4, text.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        return UInt16(text, radix: 16)
    }

    /// Feeds the words, in order of time, to a decoder and keeps its cues, each with the
    /// line it started on.
    private static func decode(_ lines: [Line], into reading: inout SubtitleReading) {
        var decoder = CEA608Decoder(), next = 0, starts: [(seconds: Double, line: Int)] = []
        let ordered = lines.enumerated().sorted { ($0.element.frame, $0.offset) < ($1.element.frame, $1.offset) }
        for (_, line) in ordered {
            var frame = max(line.frame, next)
            starts.append((seconds(frame), line.number))
            for word in line.words {
                if let word { decoder.feed(UInt8(word >> 8), UInt8(word & 0xFF), at: seconds(frame)) }
                frame += 1
            }
            next = frame
        }
        decoder.finish(at: max(seconds(next), (decoder.showingSince ?? 0) + lingering))
        for cue in decoder.cues {
            reading.keep(cue, line: line(at: cue.start, in: starts))
        }
    }

    /// The line of the last start at or before `seconds` (`starts` in order).
    private static func line(at seconds: Double, in starts: [(seconds: Double, line: Int)]) -> Int {
        var low = 0, high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle].seconds <= seconds { low = middle + 1 } else { high = middle }
        }
        return low > 0 ? starts[low - 1].line : starts.first?.line ?? 1
    }
}
