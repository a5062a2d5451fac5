import Foundation

/// A title's AES-128 content key (SPEC §12): 16 random bytes, made when an encrypting
/// title is planned and kept in the catalog only. It never goes under `media/`, into a
/// log, or into a file of `work/`; a worker gets it on its standard input.
public struct TitleKey: Sendable, Equatable {
    public let bytes: [UInt8]

    public static let length = 16

    /// A new random key.
    public static func random() -> TitleKey {
        var generator = SystemRandomNumberGenerator()
        return TitleKey(bytes: (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &generator) })!
    }

    public init?(bytes: [UInt8]) {
        guard bytes.count == Self.length else { return nil }
        self.bytes = bytes
    }

    /// From 32 hexadecimal digits.
    public init?(hex: some StringProtocol) {
        guard hex.count == 2 * Self.length else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes: bytes)
    }

    public var hex: String { bytes.map { String(format: "%02x", $0) }.joined() }
}

extension TitleKey: CustomStringConvertible {
    /// Never the key itself, so that logging a value that holds one shows nothing secret.
    public var description: String { "TitleKey(…)" }
}
