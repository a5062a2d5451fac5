/// How far a transcode has got, reported a few times a second.
public struct TranscodeProgress: Sendable, Equatable {
    /// Seconds of the title processed so far.
    public var processedSeconds: Double
    /// Length of the title in seconds, if known.
    public var totalSeconds: Double?
    /// Wall-clock seconds since the transcode started.
    public var elapsedSeconds: Double

    public init(processedSeconds: Double, totalSeconds: Double?, elapsedSeconds: Double) {
        self.processedSeconds = processedSeconds
        self.totalSeconds = totalSeconds
        self.elapsedSeconds = elapsedSeconds
    }

    /// 0…1, or nil when the length is unknown.
    public var fraction: Double? {
        guard let totalSeconds, totalSeconds > 0 else { return nil }
        return min(1, max(0, processedSeconds / totalSeconds))
    }

    /// Media seconds per wall-clock second (×realtime).
    public var speed: Double { elapsedSeconds > 0 ? processedSeconds / elapsedSeconds : 0 }

    /// Estimated seconds left at the current speed.
    public var remainingSeconds: Double? {
        guard let totalSeconds, speed > 0 else { return nil }
        return max(0, (totalSeconds - processedSeconds) / speed)
    }
}
