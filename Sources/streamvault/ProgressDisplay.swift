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
        show(fraction: progress.fraction, speed: progress.speed, remaining: progress.remainingSeconds, elapsed: progress.elapsedSeconds)
    }

    /// Shows `fraction` (0…1) done at `speed` × realtime, `remaining` seconds to go, after
    /// `elapsed` seconds.
    func show(fraction: Double?, speed rate: Double, remaining: Double?, elapsed: Double) {
        let percent = (fraction ?? 0) * 100
        let speed = String(format: "%.2f×", rate)
        let eta = remaining.map(Self.clock) ?? "--:--"
        if isTerminal {
            let width = 30
            let filled = Int((fraction ?? 0) * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let line = String(format: "\r%@ %@ %5.1f%%  %@ realtime  ETA %@ ", label, bar, percent, speed, eta)
            FileHandle.standardError.write(Data(line.utf8))
        } else if elapsed - lastLine >= 1 || fraction == 1 {
            lastLine = elapsed
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
