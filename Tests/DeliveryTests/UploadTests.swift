import Catalog
import Crypto
@testable import Delivery
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Testing
import VaultLayout

/// tus 1.0.0 at `/api/uploads` (SPEC §15), in process: every answer of the protocol and
/// every refusal, on a real vault and catalog.
extension DeliveryTests {
    static let tus: HTTPFields = [.tusResumable: "1.0.0"]

    func creation(length: Int, metadata: String = "filename \(Data("clip.mp4".utf8).base64EncodedString())",
                  token: Bool = true) -> HTTPFields {
        var fields = Self.tus
        fields[.uploadLength] = String(length)
        fields[.uploadMetadata] = metadata
        if token { fields[.authorization] = "Bearer sesame" }
        return fields
    }

    func patch(offset: Int, checksum: String? = nil) -> HTTPFields {
        var fields = Self.tus
        fields[.contentType] = "application/offset+octet-stream"
        fields[.uploadOffset] = String(offset)
        if let checksum { fields[.uploadChecksum] = checksum }
        return fields
    }

    /// Creates an upload; its path.
    func create(_ client: any TestClientProtocol, length: Int) async throws -> String {
        try await client.execute(uri: "/api/uploads", method: .post, headers: creation(length: length)) { response in
            #expect(response.status == .created, "\(String(buffer: response.body))")
            let location = try #require(response.headers[.location])
            return String(location[try #require(location.range(of: "/api/uploads/"))!.lowerBound...])
        }
    }

    @Test func anUploadIsCreatedWrittenInPiecesResumedAndBecomesAJob() async throws {
        let bytes = Data((0..<300_000).map { UInt8(($0 * 7) % 251) })
        try await test { client in
            try await client.execute(uri: "/api/uploads", method: .options) { response in
                #expect(response.status == .noContent && response.headers[.tusVersion] == "1.0.0")
                #expect(response.headers[.tusExtension] == "creation,creation-with-upload,termination,expiration,checksum")
                #expect(response.headers[.tusMaxSize] == String(1 << 20) && response.headers[.tusChecksumAlgorithm] == "sha1,sha256")
            }
            let path = try await create(client, length: bytes.count)
            try await client.execute(uri: path, method: .head, headers: Self.tus) { response in
                #expect(response.status == .ok && response.headers[.uploadOffset] == "0" && response.headers[.uploadLength] == "300000")
                #expect(response.headers[.cacheControl] == "no-store" && response.headers[.uploadExpires]?.hasSuffix(" GMT") == true)
            }
            // First piece with a sha1 that matches, second with a sha256 that does not: nothing of it is kept.
            let first = bytes.prefix(100_000), second = bytes[100_000..<200_000]
            let sha1 = "sha1 " + Data(Insecure.SHA1.hash(data: first)).base64EncodedString()
            try await client.execute(uri: path, method: .patch, headers: patch(offset: 0, checksum: sha1), body: ByteBuffer(bytes: first)) { response in
                #expect(response.status == .noContent && response.headers[.uploadOffset] == "100000" && response.headers[.tusResumable] == "1.0.0")
            }
            let wrong = "sha256 " + Data(SHA256.hash(data: first)).base64EncodedString()
            try await client.execute(uri: path, method: .patch, headers: patch(offset: 100_000, checksum: wrong), body: ByteBuffer(bytes: second)) { response in
                #expect(response.status.code == 460 && response.headers[.uploadOffset] == "100000")
            }
            try await client.execute(uri: path, method: .patch, headers: patch(offset: 0), body: ByteBuffer(bytes: second)) { response in
                #expect(response.status == .conflict && response.headers[.uploadOffset] == "100000")
            }
            let sha256 = "sha256 " + Data(SHA256.hash(data: second)).base64EncodedString()
            try await client.execute(uri: path, method: .patch, headers: patch(offset: 100_000, checksum: sha256), body: ByteBuffer(bytes: second)) { response in
                #expect(response.status == .noContent && response.headers[.uploadOffset] == "200000")
            }
            #expect(try await catalog.jobs(state: .queued).isEmpty)
            try await client.execute(uri: path, method: .patch, headers: patch(offset: 200_000), body: ByteBuffer(bytes: bytes[200_000...])) { response in
                #expect(response.status == .noContent && response.headers[.uploadOffset] == "300000")
                #expect(response.headers[.streamVaultJob] != nil)
            }
            try await client.execute(uri: path, method: .get) { response in
                let document = object(response.body)
                #expect(document["offset"] as? Int == 300_000 && document["length"] as? Int == 300_000)
                let job = try #require(document["jobId"] as? String)
                #expect(response.headers[.streamVaultJob] == job)
            }
            // A complete upload takes nothing more: no second job, nothing written.
            try await client.execute(uri: path, method: .patch, headers: patch(offset: 300_000), body: ByteBuffer()) { response in
                #expect(response.status == .noContent && response.headers[.uploadOffset] == "300000")
            }
        }
        #expect(try await catalog.jobs(state: .queued).count == 1)
        let job = try #require(try await catalog.jobs(state: .queued).first)
        #expect(job.source == "clip.mp4")
        #expect(try Data(contentsOf: vault.input(job: job.id).appendingPathComponent("clip.mp4")) == bytes)
        #expect(try FileManager.default.contentsOfDirectory(atPath: vault.uploads.path).isEmpty, "the upload's own folder has gone")
    }

    @Test func creationWithUploadAndTerminationAndTheMetadataGoToTheJob() async throws {
        let bytes = Data(repeating: 7, count: 5000)
        let metadata = ["filename": "Le Film (2021).mkv", "title": "Le Film", "type": "movie", "preset": "preview"]
            .map { "\($0) \(Data($1.utf8).base64EncodedString())" }.joined(separator: ",")
        try await test { client in
            var headers = creation(length: bytes.count, metadata: metadata)
            headers[.contentType] = "application/offset+octet-stream"
            try await client.execute(uri: "/api/uploads", method: .post, headers: headers, body: ByteBuffer(bytes: bytes)) { response in
                #expect(response.status == .created && response.headers[.uploadOffset] == "5000" && response.headers[.streamVaultJob] != nil)
            }
            let path = try await create(client, length: 10)
            try await client.execute(uri: path, method: .delete, headers: Self.tus) { #expect($0.status == .noContent) }
            try await client.execute(uri: path, method: .head, headers: Self.tus) { #expect($0.status == .notFound) }
            try await client.execute(uri: path, method: .patch, headers: patch(offset: 0), body: ByteBuffer(bytes: [1])) { #expect($0.status == .notFound) }
        }
        let job = try #require(try await catalog.jobs(state: .queued).first)
        #expect(job.source == "Le Film (2021).mkv" && job.title == "Le Film" && job.type == .movie && job.preset == "preview")
        #expect(try FileManager.default.contentsOfDirectory(atPath: vault.uploads.path).isEmpty)
    }

    @Test(arguments: [
        ("filename Y2xpcC5tcDQ=,type b3BlcmE=", "type must be one of"),
        ("filename !!!", "not base64"),
        ("title VGl0bGU=", "must give the file's name"),
        ("filename \(Data("../../etc/passwd".utf8).base64EncodedString())", "is not a file name"),
        ("filename \(Data("..".utf8).base64EncodedString())", "is not a file name"),
        ("filename \(Data("a/b.mp4".utf8).base64EncodedString())", "is not a file name"),
        ("filename Y2xpcC5tcDQ=,filename Y2xpcC5tcDQ=", "twice"),
        ("filename Y2xpcC5tcDQ=,preset \(Data("nope".utf8).base64EncodedString())", "no preset"),
    ])
    func aBadUploadMetadataIsRefusedAndNothingIsWritten(metadata: String, message: String) async throws {
        try await test { client in
            try await client.execute(uri: "/api/uploads", method: .post, headers: creation(length: 10, metadata: metadata)) { response in
                #expect(response.status == .badRequest && String(buffer: response.body).contains(message), "\(String(buffer: response.body))")
            }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: vault.uploads.path).isEmpty)
    }

    @Test func theProtocolsRefusalsEachHaveTheirStatus() async throws {
        try await test { client in
            var headers = creation(length: 10)
            try await client.execute(uri: "/api/uploads", method: .post, headers: creation(length: 10, token: false)) { #expect($0.status == .unauthorized) }
            headers[.tusResumable] = "0.2.2"
            try await client.execute(uri: "/api/uploads", method: .post, headers: headers) { response in
                #expect(response.status == .preconditionFailed && response.headers[.tusVersion] == "1.0.0")
            }
            try await client.execute(uri: "/api/uploads", method: .post, headers: creation(length: (1 << 20) + 1)) { #expect($0.status == .contentTooLarge) }
            try await client.execute(uri: "/api/uploads", method: .post, headers: creation(length: 0)) { #expect($0.status == .badRequest) }
            headers = creation(length: 10)
            headers[.uploadLength] = "ten"
            try await client.execute(uri: "/api/uploads", method: .post, headers: headers) { #expect($0.status == .badRequest) }
            let path = try await create(client, length: 10)
            var wrongType = patch(offset: 0)
            wrongType[.contentType] = "application/octet-stream"
            try await client.execute(uri: path, method: .patch, headers: wrongType, body: ByteBuffer(bytes: [1])) { #expect($0.status == .unsupportedMediaType) }
            try await client.execute(uri: path, method: .patch, headers: patch(offset: 0), body: ByteBuffer(bytes: [UInt8](repeating: 1, count: 11))) { response in
                #expect(response.status == .contentTooLarge)
            }
            try await client.execute(uri: path, method: .patch, headers: patch(offset: 0, checksum: "md5 AAAA"), body: ByteBuffer(bytes: [1])) { #expect($0.status == .badRequest) }
            try await client.execute(uri: path, method: .head, headers: Self.tus) { #expect($0.headers[.uploadOffset] == "0") }
            try await client.execute(uri: "/api/uploads/nope", method: .head, headers: Self.tus) { #expect($0.status == .notFound) }
        }
    }

    @Test func aOneTimeUploadURLCreatesOneUploadWithoutTheAPIToken() async throws {
        try await test { client in
            try await client.execute(uri: "/api/uploads/urls", method: .post, body: ByteBuffer(string: "{}")) { #expect($0.status == .unauthorized) }
            let url = try await client.execute(uri: "/api/uploads/urls", method: .post, headers: Self.bearer,
                                               body: ByteBuffer(string: #"{"title": "From the browser", "type": "cartoon", "maxBytes": 100}"#)) { response in
                #expect(response.status == .created)
                let url = try #require(object(response.body)["url"] as? String)
                #expect(object(response.body)["expiresAt"] is String)
                return String(url[try #require(url.range(of: "/api/uploads/direct/"))!.lowerBound...])
            }
            try await client.execute(uri: url, method: .post, headers: creation(length: 101, token: false)) { #expect($0.status == .forbidden) }
            var headers = creation(length: 4, token: false)
            headers[.contentType] = "application/offset+octet-stream"
            try await client.execute(uri: url, method: .post, headers: headers, body: ByteBuffer(bytes: [1, 2, 3, 4])) { response in
                #expect(response.status == .created && response.headers[.streamVaultJob] != nil)
            }
            try await client.execute(uri: url, method: .post, headers: creation(length: 4, token: false)) { response in
                #expect(response.status == .forbidden && String(buffer: response.body).contains("has been used"))
            }
            try await client.execute(uri: "/api/uploads/direct/made-up", method: .post, headers: creation(length: 4, token: false)) { #expect($0.status == .forbidden) }
        }
        let job = try #require(try await catalog.jobs(state: .queued).first)
        #expect(job.title == "From the browser" && job.type == .cartoon)
    }

    @Test func anExpiredUploadIsSweptAwayAndAStrandedCompleteOneBecomesAJob() async throws {
        let expired = UploadSession(filename: "old.mp4", title: nil, type: nil, preset: nil, length: 10, expiresAt: Date(timeIntervalSinceNow: -1))
        try await catalog.createUpload(expired)
        try FileManager.default.createDirectory(at: vault.upload(expired.id), withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: vault.upload(expired.id).appendingPathComponent("old.mp4"))
        var stranded = UploadSession(filename: "done.mp4", title: "Done", type: nil, preset: nil, length: 3, expiresAt: Date(timeIntervalSinceNow: 60))
        try await catalog.createUpload(stranded)
        #expect(try await catalog.advanceUpload(id: stranded.id, from: 0, to: 3))
        try FileManager.default.createDirectory(at: vault.upload(stranded.id), withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: vault.upload(stranded.id).appendingPathComponent("done.mp4"))
        try await UploadSweeper(catalog: catalog, vault: vault, intake: uploads, logger: Logger(label: "test")).sweep()
        #expect(try await catalog.upload(id: expired.id) == nil)
        stranded = try #require(try await catalog.upload(id: stranded.id))
        let job = try await catalog.job(id: try #require(stranded.jobId))
        #expect(job?.title == "Done")
        #expect(try FileManager.default.contentsOfDirectory(atPath: vault.uploads.path).isEmpty)
    }

    /// Two daemons on one vault, each with its own connection to the catalog: an upload
    /// created through one goes on through the other, as a load balancer sends requests.
    @Test func anUploadGoesOnThroughAnotherDaemonOfTheVault() async throws {
        let other = DeliveryServer(vault: vault, catalog: try await CatalogLocation.sqlite(path: vault.catalog.path).open(), token: "sesame",
                                   submit: { _, _, _ in throw APIError.badRequest("unused") }, host: "127.0.0.1", port: 0,
                                   registry: Self.registry, logger: Logger(label: "other"), uploads: uploads)
        let bytes = Data((0..<20_000).map { UInt8($0 % 199) })
        let path = try await Application(router: server().router()).test(.router) { client in
            let path = try await create(client, length: bytes.count)
            try await client.execute(uri: path, method: .patch, headers: patch(offset: 0), body: ByteBuffer(bytes: bytes.prefix(5000))) {
                #expect($0.status == .noContent)
            }
            return path
        }
        try await Application(router: other.router()).test(.router) { client in
            try await client.execute(uri: path, method: .head, headers: Self.tus) { #expect($0.headers[.uploadOffset] == "5000") }
            try await client.execute(uri: path, method: .patch, headers: patch(offset: 5000), body: ByteBuffer(bytes: bytes.dropFirst(5000))) { response in
                #expect(response.status == .noContent && response.headers[.streamVaultJob] != nil)
            }
        }
        let job = try #require(try await catalog.jobs(state: .queued).first)
        #expect(try Data(contentsOf: vault.input(job: job.id).appendingPathComponent("clip.mp4")) == bytes)
    }
}
