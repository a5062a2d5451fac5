import LibAV

/// Where keyframes go: the first frame at or after every multiple of `interval` seconds,
/// counted from the title's start. The same grid for every rung makes every segment
/// boundary a switch point.
public struct KeyframeGrid: Sendable, Equatable {
    public let interval: Double
    public let frameRate: Rational

    public init(interval: Double, frameRate: Rational) {
        self.interval = interval
        self.frameRate = frameRate
    }

    /// Frames per interval, rounded up: the longest gap between two grid keyframes.
    public var maximumGap: Int { Int((interval * frameRate.doubleValue - 1e-9).rounded(.up)) }

    /// True when frame `index` (0-based, constant rate) starts a new interval.
    public func isKeyframe(_ index: Int) -> Bool {
        index == 0 || bucket(index) != bucket(index - 1)
    }

    private func bucket(_ index: Int) -> Int {
        let seconds = Double(index) * Double(frameRate.denominator) / Double(frameRate.numerator)
        return Int((seconds / interval + 1e-9).rounded(.down))
    }
}
