import LibAV

/// Why a file could not be packaged, in words that name the file and the cause.
public struct PackagingError: Error, CustomStringConvertible, Sendable {
    public enum Cause: Sendable, Equatable {
        case fileNotFound
        case empty
        case unreadable(String)
        case notMedia(String)
        case noUsableStream
        case truncated(decoded: Double, expected: Double)
        case outputExists(String)
        case cancelled
        case notALanguage(String)
        /// Past one of `MediaSource`'s limits (picture size, length): refused at probe.
        case beyondLimit(String)
        case failed(String)
    }

    /// The input file the error is about.
    public let file: String
    public let cause: Cause

    public init(file: String, cause: Cause) {
        self.file = file
        self.cause = cause
    }

    public var description: String { "\(file): \(reason)" }

    /// The cause in words, without the file.
    public var reason: String {
        switch cause {
        case .fileNotFound: "no such file"
        case .empty: "empty file (0 bytes)"
        case let .unreadable(why): "cannot read the file (\(why))"
        case let .notMedia(why): "not a media file libav can read (\(why))"
        case .noUsableStream: "no usable video or audio stream"
        case let .truncated(decoded, expected):
            "the file is truncated or damaged: media ends at \(format(decoded)) s of \(format(expected)) s"
        case let .outputExists(path): "the output \(path) already exists and is not empty"
        case .cancelled: "cancelled"
        case let .notALanguage(code): "\"\(code)\" is not a language code (ISO 639-1 or 639-2, e.g. en, spa)"
        case let .beyondLimit(why): why
        case let .failed(why): why
        }
    }

    private func format(_ seconds: Double) -> String { String(Double(Int(seconds * 10)) / 10) }
}
