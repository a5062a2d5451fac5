import Foundation

/// Writes subtitle cues as WebVTT: the whole track in one file (for `<track>` elements)
/// and HLS segments that follow the video's segment boundaries.
struct WebVTT {
    let cues: [SubtitleCue]

    /// The whole track on the title's clock, as a `<track>` element reads it.
    func document() -> String {
        "WEBVTT\n\n" + cues.map(Self.block).joined(separator: "\n")
    }

    /// The cues that show during `start..<end` (a cue spanning a boundary is repeated, as
    /// RFC 8216 §3.5 allows), with `X-TIMESTAMP-MAP` tying the title's zero to
    /// `presentationStart`, the 90 kHz timestamp of the first video frame.
    func segment(from start: Double, to end: Double, presentationStart: Int64) -> String {
        let header = "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:\(presentationStart),LOCAL:00:00:00.000\n\n"
        return header + cues.filter { $0.end > start && $0.start < end }.map(Self.block).joined(separator: "\n")
    }

    private static func block(_ cue: SubtitleCue) -> String {
        "\(timestamp(cue.start)) --> \(timestamp(cue.end))\(cue.settings.map { " " + $0 } ?? "")\n\(cue.text)\n"
    }

    /// `HH:MM:SS.mmm`.
    static func timestamp(_ seconds: Double) -> String {
        let milliseconds = Int((max(0, seconds) * 1000).rounded())
        return String(format: "%02d:%02d:%02d.%03d", milliseconds / 3_600_000, milliseconds / 60_000 % 60,
                      milliseconds / 1000 % 60, milliseconds % 1000)
    }
}
