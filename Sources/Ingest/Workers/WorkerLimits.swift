import Foundation

/// What a worker may do before the daemon's watchdog kills it (SPEC §11).
public struct WorkerLimits: Sendable {
    /// Longest time without a message (progress counts).
    public var stallTimeout: Duration
    /// Most resident memory, bytes.
    public var memory: Int

    public init(stallTimeout: Duration = .seconds(120), memory: Int = 4 << 30) {
        self.stallTimeout = stallTimeout
        self.memory = memory
    }

    /// `5.1 GiB`, or `31 MiB` below one GiB.
    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 30 ? String(format: "%.1f GiB", Double(bytes) / Double(1 << 30))
            : String(format: "%.0f MiB", Double(bytes) / Double(1 << 20))
    }
}
