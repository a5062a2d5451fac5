import LibAV

/// One subtitle cue on the title's clock (seconds from the first video frame), its text
/// ready for WebVTT: ASS styling stripped except italic, bold and underline; and its WebVTT
/// cue settings (`line:0 align:start`), when its file gave a position.
public struct SubtitleCue: Sendable, Equatable, Codable {
    public var start: Double
    public var end: Double
    public var text: String
    public var settings: String?

    public init(start: Double, end: Double, text: String, settings: String? = nil) {
        self.start = start
        self.end = end
        self.text = text
        self.settings = settings
    }

    /// The cue moved by `offset` seconds and cut to `0…duration`; nil when nothing is left.
    func placed(offset: Double, duration: Double) -> SubtitleCue? {
        var cue = self
        (cue.start, cue.end) = (max(0, start - offset), min(duration, end - offset))
        return cue.end > cue.start ? cue : nil
    }

    /// Cues from decoded events: moved by `offset` seconds onto the title's clock, an
    /// event without an end shown until the next one (5 s at most), cut to `0…duration`.
    static func cues(from events: [SubtitleEvent], offset: Double, duration: Double) -> [SubtitleCue] {
        let sorted = events.sorted { $0.start < $1.start }
        var cues: [SubtitleCue] = []
        for (index, event) in sorted.enumerated() {
            let next = sorted[(index + 1)...].first { $0.start > event.start }?.start
            let end = event.end ?? min(event.start + 5, next ?? event.start + 5)
            let text = event.dialogue.map(SubtitleText.webVTT(fromDialogue:)).filter { !$0.isEmpty }.joined(separator: "\n")
            if !text.isEmpty, let cue = SubtitleCue(start: event.start, end: end, text: text).placed(offset: offset, duration: duration) {
                cues.append(cue)
            }
        }
        return cues
    }
}
