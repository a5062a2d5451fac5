import Foundation
import LibAV

/// Chooses a representative poster frame: among pictures sampled along the title (four
/// per keyframe interval), the busiest one (highest luma deviation) that is neither
/// near-black nor near-white, and writes it as a JPEG at most 1280 pixels wide.
final class PosterPicker {
    private var best: (frame: Frame, score: Double)?
    private var fallback: Frame?
    static let maximumWidth = 1280

    /// Considers `frame` (8-bit 4:2:0, square pixels); keeps a reference, not a copy.
    func consider(_ frame: Frame) throws {
        if fallback == nil { fallback = try Frame(referencing: frame) }
        let (mean, deviation) = frame.lumaStatistics(step: 8)
        guard mean > 40, mean < 215, deviation > 12 else { return }
        if deviation > best?.score ?? 0 {
            best = (try Frame(referencing: frame), deviation)
        }
    }

    /// Writes the chosen picture to `url` and returns its score (0 for the fallback, a
    /// picture too dark, bright or flat); nil when no picture was seen.
    func write(to url: URL) throws -> Double? {
        guard let frame = best?.frame ?? fallback else { return nil }
        let width = min(frame.width, Self.maximumWidth) / 2 * 2
        let height = max(2, Int((Double(frame.height) * Double(width) / Double(frame.width) / 2).rounded()) * 2)
        try JPEGWriter.write(frame, width: width, height: height, to: url)
        return best?.score ?? 0
    }
}
