/// `SubtitleCue` as the subtitle readers under test make it (the real one also reads libav's
/// events, which the fuzzed readers do not need).
struct SubtitleCue: Equatable {
    var start: Double
    var end: Double
    var text: String
    var settings: String?
}
