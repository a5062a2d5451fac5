import ArgumentParser
import Foundation
import Packager

/// `--subtitle FILE[:LANG]` and `--audio FILE[:LANG]`: sidecar tracks for one title.
struct TrackOptions: ParsableArguments {
    @Option(name: .customLong("subtitle"), help: ArgumentHelp(
        "A subtitle file (.srt, .vtt, .ass) and its language; repeatable.", valueName: "file[:lang]"))
    var subtitles: [String] = []

    @Option(name: .customLong("audio"), help: ArgumentHelp(
        "A dubbing audio file and its language; repeatable.", valueName: "file[:lang]"))
    var audio: [String] = []

    /// The sidecars that parse; each one that does not (a bad language code) is reported
    /// on stderr as a warning naming the file, and left out.
    func sidecars() -> [Sidecar] {
        let arguments = subtitles.map { ($0, Sidecar.Kind.subtitle) } + audio.map { ($0, Sidecar.Kind.audio) }
        return arguments.compactMap { argument, kind in
            do {
                return try Sidecar(argument: argument, kind: kind)
            } catch {
                warn("\(error); the title is published without it")
                return nil
            }
        }
    }
}

/// Prints `message` on stderr as a warning.
func warn(_ message: String) {
    FileHandle.standardError.write(Data("warning: \(message)\n".utf8))
}
