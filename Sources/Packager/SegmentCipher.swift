import Crypto
import CryptoExtras
import Foundation
import Glibc
import VaultLayout

/// Encrypts a title's init sections and media segments whole with AES-128-CBC and PKCS7
/// padding, as RFC 8216 §4.3.2.4 says for `METHOD=AES-128`. A segment's IV is its media
/// sequence number (its 0-based index, big-endian), which a playlist need not spell; an
/// init section's IV, which its `EXT-X-KEY` must spell, is `initIV`. Files are sealed in
/// a work folder before they reach `media/`, under a temporary name renamed over the clear
/// one, so no reader sees a half-written file.
public struct SegmentCipher: Sendable {
    let key: SymmetricKey

    public init(_ key: TitleKey) { self.key = SymmetricKey(data: key.bytes) }

    /// The cipher `plan` needs: nil when its preset does not encrypt; an encrypting plan without `key` is an error.
    init?(for plan: TitlePlan, key: TitleKey?) throws {
        guard plan.preset.encryption == .aes128 else { return nil }
        guard let key else { throw PackagingError(file: plan.source, cause: .failed("the title's encryption key was not given")) }
        self.init(key)
    }

    /// The IV of every init section: one no segment of a title of fewer than 2^128 − 1 segments has.
    public static let initIV = [UInt8](repeating: 0xFF, count: 16)

    /// The IV of segment `index` (0-based): the media sequence number of a playlist that starts at 0.
    public static func iv(segment index: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: 8) + withUnsafeBytes(of: UInt64(index).bigEndian, Array.init)
    }

    /// Replaces the clear file at `url` with its ciphertext under `iv`.
    public func seal(_ url: URL, iv: [UInt8]) throws {
        let sealed = try AES._CBC.encrypt(Data(contentsOf: url), using: key, iv: AES._CBC.IV(ivBytes: iv))
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).sealing")
        try sealed.write(to: temporary)
        guard rename(temporary.path, url.path) == 0 else {
            let cause = String(cString: strerror(errno))
            unlink(temporary.path)
            throw PackagingError(file: url.path, cause: .failed("cannot encrypt: \(cause)"))
        }
    }
}
