import Crypto
import Foundation

/// `Upload-Checksum: sha1|sha256 <base64 digest>` (tus checksum): the digest of one
/// request's body, computed as it arrives.
struct UploadChecksum {
    enum Algorithm: String, CaseIterable {
        case sha1, sha256
    }

    let algorithm: Algorithm
    let expected: Data
    private var sha1 = Insecure.SHA1()
    private var sha256 = SHA256()

    /// Nil without the header; throws for an algorithm or digest it cannot check.
    init?(header: String?) throws(UploadMetadata.Invalid) {
        guard let header else { return nil }
        let parts = header.split(separator: " ")
        guard parts.count == 2, let algorithm = Algorithm(rawValue: String(parts[0])) else {
            throw UploadMetadata.Invalid(description: "Upload-Checksum must be \"sha1 <base64>\" or \"sha256 <base64>\"")
        }
        guard let expected = Data(base64Encoded: String(parts[1])), expected.count == (algorithm == .sha1 ? 20 : 32) else {
            throw UploadMetadata.Invalid(description: "Upload-Checksum: the digest is not base64 of a \(algorithm.rawValue) digest")
        }
        self.algorithm = algorithm
        self.expected = expected
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        switch algorithm {
        case .sha1: sha1.update(bufferPointer: bytes)
        case .sha256: sha256.update(bufferPointer: bytes)
        }
    }

    /// Whether what was fed matches, compared in constant time.
    func matches() -> Bool {
        let digest = switch algorithm {
        case .sha1: Data(sha1.finalize())
        case .sha256: Data(sha256.finalize())
        }
        guard digest.count == expected.count else { return false }
        return zip(digest, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
