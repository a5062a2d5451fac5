import HTTPTypes
import Hummingbird

/// The tus 1.0.0 protocol's fields and answers (https://tus.io/protocols/resumable-upload).
enum Tus {
    static let version = "1.0.0"
    static let extensions = "creation,creation-with-upload,termination,expiration,checksum"
    static let checksumAlgorithms = "sha1,sha256"
    static let contentType = "application/offset+octet-stream"
    /// 460, the checksum extension's status for a body whose checksum does not match.
    static let checksumMismatch = HTTPResponse.Status(code: 460, reasonPhrase: "Checksum Mismatch")
    /// 423: another request is writing the upload.
    static let locked = HTTPResponse.Status(code: 423, reasonPhrase: "Locked")

    /// What a browser on another origin may send and read.
    static let cors: HTTPFields = [
        .accessControlAllowOrigin: "*",
        .accessControlAllowMethods: "POST, HEAD, GET, PATCH, DELETE, OPTIONS",
        .accessControlAllowHeaders: "Authorization, Content-Type, Tus-Resumable, Upload-Length, Upload-Metadata, Upload-Offset, Upload-Checksum, Upload-Defer-Length",
        .accessControlExposeHeaders: "Location, Tus-Resumable, Tus-Version, Tus-Extension, Tus-Max-Size, Upload-Offset, Upload-Length, Upload-Expires, Upload-Metadata, StreamVault-Job",
    ]

    /// Every answer: the protocol version and CORS.
    static func fields(_ more: HTTPFields = [:]) -> HTTPFields {
        var fields = cors
        fields[.tusResumable] = version
        fields.append(contentsOf: more)
        return fields
    }

    /// 412 unless the request speaks tus 1.0.0 (every request but OPTIONS must say so).
    static func requireVersion(_ request: Request) throws {
        guard request.headers[.tusResumable] == version else {
            throw APIError(.preconditionFailed, code: "tus_version", "this server speaks tus \(version): send Tus-Resumable: \(version)",
                           headers: fields([.tusVersion: version]))
        }
    }
}

extension HTTPField.Name {
    static let tusResumable = Self("Tus-Resumable")!
    static let tusVersion = Self("Tus-Version")!
    static let tusExtension = Self("Tus-Extension")!
    static let tusMaxSize = Self("Tus-Max-Size")!
    static let tusChecksumAlgorithm = Self("Tus-Checksum-Algorithm")!
    static let uploadOffset = Self("Upload-Offset")!
    static let uploadLength = Self("Upload-Length")!
    static let uploadDeferLength = Self("Upload-Defer-Length")!
    static let uploadMetadata = Self("Upload-Metadata")!
    static let uploadExpires = Self("Upload-Expires")!
    static let uploadChecksum = Self("Upload-Checksum")!
    /// The job a complete upload became.
    static let streamVaultJob = Self("StreamVault-Job")!
}
