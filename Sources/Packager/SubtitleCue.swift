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
                                  text: event.dialogue.map(SubtitleText.webVTT(fromDialogue:)).filter { !$0.isEmpty }.joined(separator: "\n"))
            if cue.end > cue.start, !cue.text.isEmpty { cues.append(cue) }
        }
        return cues
    }
}
