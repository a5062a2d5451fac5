import CLibAV

/// A failed libav call: the operation that failed and libav's own words for why.
public struct LibAVError: Error, CustomStringConvertible, Equatable {
    /// The libav return code (a negative `AVERROR`), or `ENOMEM` for a failed allocation.
    public let code: Int32
    /// What we were doing, e.g. `"open input"` or `"open encoder libx264"`.
    public let operation: String

    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// libav's text for `code`, e.g. "Invalid data found when processing input".
    public var reason: String { Self.describe(code) }

    public var description: String { "\(operation): \(reason)" }

    public static func describe(_ code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        sv_err2str(code, &buffer, buffer.count)
        return String(cBuffer: buffer)
    }

    /// libav's code for damaged or unrecognisable data (`AVERROR_INVALIDDATA`).
    public static let invalidData = SV_AVERROR_INVALIDDATA
    /// -1: what many demuxers and decoders return for damaged data, whatever errno says.
    public static let permission: Int32 = -1

    static func outOfMemory(_ operation: String) -> LibAVError {
        LibAVError(code: sv_averror(ENOMEM), operation: operation)
    }
}

/// The one checker every libav call goes through: a negative return code becomes a typed error.
@discardableResult
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LibAVError) -> Int32 {
    if code < 0 { throw LibAVError(code: code, operation: operation()) }
    return code
}

/// Unwraps an allocation, turning `nil` into an out-of-memory error.
func allocated<T>(_ pointer: T?, _ operation: @autoclosure () -> String) throws(LibAVError) -> T {
    guard let pointer else { throw LibAVError.outOfMemory(operation()) }
    return pointer
}

/// The outcome of a send/receive step of a codec or filter: states, not errors.
public enum Pull: Equatable {
    /// A frame or packet was produced.
    case ready
    /// More input is needed before anything comes out.
    case needsInput
    /// Everything has been drained.
    case finished
}

/// Maps a receive return code to a `Pull` state, throwing on real errors.
func pullState(_ code: Int32, _ operation: @autoclosure () -> String) throws(LibAVError) -> Pull {
    switch code {
    case 0...: return .ready
    case SV_AVERROR_EAGAIN: return .needsInput
    case SV_AVERROR_EOF: return .finished
    default: throw LibAVError(code: code, operation: operation())
    }
}

extension String {
    /// The text of a NUL-terminated C character buffer.
    init(cBuffer buffer: [CChar]) {
        self.init(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
