import Packager

/// What a worker child process tells the daemon, one JSON object per line on its stdout.
public struct WorkerMessage: Codable, Sendable {
    public enum Kind: String, Codable, Sendable { case progress, duplicate, done, failed }

    public var kind: Kind
    public var stage: String?
    public var progress: Double?
    public var speed: Double?
    /// SHA-256 of the source, for `done`.
    public var digest: String?
    /// The title already holding this content, for `duplicate`.
    public var duplicateOf: String?
    public var result: TranscodeResult?
    public var error: String?

    public static func progress(stage: String, _ progress: Double, speed: Double = 0) -> WorkerMessage {
        WorkerMessage(kind: .progress, stage: stage, progress: progress, speed: speed)
    }
}

/// How a worker ends, as its exit status says.
public enum WorkerExit {
    /// Done, or a duplicate: see the last message.
    public static let success: Int32 = 0
    /// The input cannot be packaged (not media, truncated…): retrying will not help.
    public static let permanentFailure: Int32 = 1
    /// Stopped by SIGTERM (cancel or daemon shutdown).
    public static let interrupted: Int32 = 3
    /// Something that may pass (disk full, I/O error, a libav failure): try again later.
    public static let temporaryFailure: Int32 = 75
}
