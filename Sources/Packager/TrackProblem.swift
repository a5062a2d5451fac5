import VaultLayout

/// The warning a subtitle track gets (SPEC §16): cues dropped, a legacy text encoding, or
/// no cue within the title; nil for a track read whole.
enum TrackProblem {
    static func warning(for read: SubtitleFile.Contents?, cuesInTitle: Int, file: String, language: Language) -> TrackWarning? {
        let reading = read?.reading
        var reasons: [String] = []
        if let reading, reading.droppedCount > 0 {
            let shown = reading.dropped.prefix(3).map { "line \($0.line): \($0.reason)" }.joined(separator: "; ")
            reasons.append("\(reading.droppedCount) cue(s) could not be read and were left out (\(shown)\(reading.droppedCount > 3 ? "; …" : ""))")
        }
        if let reading, !reading.notes.isEmpty {
            reasons.append("left out: " + reading.notes.prefix(3).map { "line \($0.line): \($0.reason)" }.joined(separator: "; ")
                + (reading.notes.count > 3 ? "; …" : ""))
        }
        if let encoding = read?.encoding, encoding.isLegacy { reasons.append("its text was read as \(encoding.name)") }
        if cuesInTitle == 0 {
            reasons.insert(reading?.cues.isEmpty ?? false ? "holds no subtitle cue that can be read" : "no subtitle cue falls within the title", at: 0)
        }
        guard !reasons.isEmpty else { return nil }
        return TrackWarning(file: file, language: language.tag, cuesRead: cuesInTitle, cuesDropped: reading?.droppedCount ?? 0,
                            reason: reasons.joined(separator: "; "), published: cuesInTitle > 0)
    }
}
