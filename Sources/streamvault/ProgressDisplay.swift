import Foundation
import Packager

/// Shows transcode progress on stderr: a redrawn bar on a terminal, plain lines (at most
/// one a second) otherwise.
final class ProgressDisplay {
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private var lastLine = -1.0
    private let label: String

    init(label: String) { self.label = label }

    func show(_ progress: TranscodeProgress) {
        let percent = (progress.fraction ?? 0) * 100
        let speed = String(format: "%.2f×", progress.speed)
        let eta = progress.remainingSeconds.map(Self.clock) ?? "--:--"
        if isTerminal {
            let width = 30
            let filled = Int((progress.fraction ?? 0) * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = String(format: "\r%@ %@ %5.1f%%  %@ realtime  ETA %@ ", label, bar, percent, speed, eta)
            FileHandle.standardError.write(Data(line.utf8))
        } else if progress.elapsedSeconds - lastLine >= 1 || progress.fraction == 1 {
            lastLine = progress.elapsedSeconds
            let line = String(format: "progress %@ %.1f%% speed=%@ eta=%@\n", label, percent, speed, eta)
            FileHandle.standardError.write(Data(line.utf8))
        }
    }

    /// Ends the bar's line on a terminal.
    func finish() {
        if isTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        return total >= 3600
            ? String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
            : String(format: "%d:%02d", total / 60, total % 60)
    }
}
