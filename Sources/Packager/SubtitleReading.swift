/// What a reader of our own made of a subtitle file (SPEC §16): its cues on the file's own
/// clock, text ready for WebVTT, and each piece it could not read, left out alone (never
/// shown as text), with the line it started on and why.
struct SubtitleReading: Sendable, Equatable {
    struct Dropped: Sendable, Equatable {
        /// 1-based.
        var line: Int
        var reason: String
    }

    var cues: [SubtitleCue] = []
    /// The first thousand cues left out; `droppedCount` counts them all.
    var dropped: [Dropped] = []
    var droppedCount = 0
    /// What was left out that is not a cue (a declaration, a header, a word of SCC), at most a thousand.
    var notes: [Dropped] = []

    /// Limits on hostile files: a cue's text, the cues of one file.
    static let maximumCueText = 16 * 1024
    static let maximumCues = 200_000

    /// Keeps a cue, unless its times are not in order or it says nothing.
    mutating func keep(_ cue: SubtitleCue, line: Int) {
        if cue.end <= cue.start { return drop(line, "ends (\(WebVTT.timestamp(cue.end))) before it starts (\(WebVTT.timestamp(cue.start)))") }
        if cue.text.isEmpty { return }
        if cue.text.utf8.count > Self.maximumCueText { return drop(line, "holds more than \(Self.maximumCueText / 1024) KiB of text") }
        if cues.count >= Self.maximumCues { return drop(line, "is past the \(Self.maximumCues) cues a file may hold") }
        cues.append(cue)
    }

    mutating func note(_ line: Int, _ reason: String) {
        if notes.count < 1000 { notes.append(Dropped(line: line, reason: reason)) }
    }

    mutating func drop(_ line: Int, _ reason: String) {
        droppedCount += 1
        if dropped.count < 1000 { dropped.append(Dropped(line: line, reason: reason)) }
    }
}

/// A file's text as lines (LF, CRLF or CR), each with its 1-based number, and its blocks:
/// runs of lines between lines that are empty or only white space.
struct SubtitleLines {
    let lines: [Substring]

    init(_ text: String) {
        lines = text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }
    }

    /// Blocks of lines, each with the number of its first line.
    var blocks: [(line: Int, lines: [Substring])] {
        var blocks: [(line: Int, lines: [Substring])] = []
        var current: [Substring] = [], start = 0
        for (index, line) in lines.enumerated() {
            if line.allSatisfy(\.isWhitespace) {
                if !current.isEmpty { blocks.append((start + 1, current)) }
                current = []
            } else {
                if current.isEmpty { start = index }
                current.append(line)
            }
        }
        if !current.isEmpty { blocks.append((start + 1, current)) }
        return blocks
    }
}
