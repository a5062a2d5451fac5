import Catalog
import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import VaultLayout

/// Resumable uploads, tus 1.0.0 with creation, creation-with-upload, termination,
/// expiration and checksum (SPEC §15), at `/api/uploads`. Creating an upload needs the API
/// token, or a one-time URL from `POST /api/uploads/urls`; the upload's own URL (an
/// unguessable id) is then its capability, as with the platforms' direct creator uploads.
/// Bodies are streamed to disk and fsynced before their offset is recorded and answered, so
/// memory stays flat whatever the size and a broken connection loses nothing acknowledged.
struct UploadRoutes: Sendable {
    let catalog: any CatalogStore
    let vault: Vault
    let token: String
    let intake: UploadIntake

    func register(on router: Router<DeliveryContext>) {
        for path in ["/api/uploads", "/api/uploads/direct/:token", "/api/uploads/:id"] {
            router.on(RouterPath(path), method: .options) { _, _ in
                Response(status: .noContent, headers: Tus.fields([
                    .tusVersion: Tus.version, .tusExtension: Tus.extensions, .tusMaxSize: String(intake.maxBytes),
                    .tusChecksumAlgorithm: Tus.checksumAlgorithms, .accessControlMaxAge: "86400",
                ]))
            }
        }
        router.post("/api/uploads") { request, context in
            try APIToken.require(token, in: request.headers)
            return try await create(request, grantToken: nil, logger: context.logger)
        }
        router.post("/api/uploads/direct/:token") { request, context in
            try await create(request, grantToken: try context.parameters.require("token"), logger: context.logger)
        }
        router.post("/api/uploads/urls") { request, _ in
            try APIToken.require(token, in: request.headers)
            return try await grant(request)
        }
        router.head("/api/uploads/:id") { request, context in
            try Tus.requireVersion(request)
            let upload = try await existing(try context.parameters.require("id"))
            return Response(status: .ok, headers: state(of: upload).appending([.cacheControl: "no-store"]))
        }
        router.get("/api/uploads/:id") { _, context in
            let upload = try await existing(try context.parameters.require("id"))
            var response = json(UploadDocument(offset: upload.offset, length: upload.length, jobId: upload.jobId))
            response.headers.append(contentsOf: state(of: upload).appending([.cacheControl: "no-store"]))
            return response
        }
        router.patch("/api/uploads/:id") { request, context in
            try Tus.requireVersion(request)
            guard request.headers[.contentType] == Tus.contentType else {
                throw APIError(.unsupportedMediaType, code: "bad_content_type", "a PATCH body must be Content-Type: \(Tus.contentType)", headers: Tus.fields())
            }
            let upload = try await existing(try context.parameters.require("id"))
            // A complete upload takes nothing more (the job is made, or being made).
            if upload.isComplete { return Response(status: .noContent, headers: state(of: upload)) }
            guard let offset = request.headers[.uploadOffset].flatMap({ Int64($0) }), offset >= 0 else {
                throw APIError(.badRequest, code: "bad_offset", "Upload-Offset must be a whole number of bytes", headers: Tus.fields())
            }
            return try await receive(request, at: offset, into: upload, status: .noContent, logger: context.logger)
        }
        router.delete("/api/uploads/:id") { request, context in
            try Tus.requireVersion(request)
            let upload = try await existing(try context.parameters.require("id"))
            try await catalog.deleteUpload(id: upload.id)
            try? FileManager.default.removeItem(at: vault.upload(upload.id))
            return Response(status: .noContent, headers: Tus.fields())
        }
    }

    /// A tus creation (with its first bytes when the body has them).
    private func create(_ request: Request, grantToken: String?, logger: Logger) async throws -> Response {
        try Tus.requireVersion(request)
        if request.headers[.uploadDeferLength] != nil {
            throw APIError(.badRequest, code: "bad_length", "Upload-Defer-Length is not supported: give Upload-Length", headers: Tus.fields())
        }
        guard let length = request.headers[.uploadLength].flatMap({ Int64($0) }), length > 0 else {
            throw APIError(.badRequest, code: "bad_length", "Upload-Length must be the file's size in bytes, above 0", headers: Tus.fields())
        }
        guard length <= intake.maxBytes else {
            throw APIError(.contentTooLarge, code: "too_large", "Upload-Length \(length) is past this server's --max-upload of \(intake.maxBytes) bytes",
                           headers: Tus.fields([.tusMaxSize: String(intake.maxBytes)]))
        }
        var metadata: UploadMetadata
        do { metadata = try UploadMetadata(header: request.headers[.uploadMetadata]) } catch {
            throw APIError(.badRequest, code: "bad_metadata", error.description, headers: Tus.fields())
        }
        if let preset = metadata.preset, !intake.presetExists(preset) {
            throw APIError(.badRequest, code: "bad_metadata", "Upload-Metadata preset: there is no preset \"\(preset)\"", headers: Tus.fields())
        }
        let now = Date()
        var upload = UploadSession(filename: metadata.filename, title: metadata.title, type: metadata.type, preset: metadata.preset,
                                   length: length, createdAt: now, expiresAt: now.addingTimeInterval(intake.expiry.seconds))
        if let grantToken {
            guard let grant = try await catalog.useUploadGrant(tokenHash: Self.hash(grantToken), for: upload.id, length: length) else {
                throw APIError(.forbidden, code: "upload_url_refused",
                               "this upload URL is unknown, has expired, has been used, or allows fewer bytes than Upload-Length", headers: Tus.fields())
            }
            upload.title = grant.title ?? upload.title
            upload.type = grant.type ?? upload.type
            upload.preset = grant.preset ?? upload.preset
        }
        try await catalog.createUpload(upload)
        let location = Self.url(request, "/api/uploads/\(upload.id)")
        if request.headers[.contentType] == Tus.contentType {
            var response = try await receive(request, at: 0, into: upload, status: .created, logger: logger)
            response.headers[.location] = location
            return response
        }
        return Response(status: .created, headers: state(of: upload).appending([.location: location]))
    }

    /// Writes a request's body at `offset`, which must be where the upload stands once its
    /// lock is held (409 otherwise): on disk (fsynced), then recorded, then answered. A
    /// checksum that does not match keeps nothing of the body (460); a broken connection
    /// keeps what arrived when no checksum was asked for.
    private func receive(_ request: Request, at offset: Int64, into listed: UploadSession, status: HTTPResponse.Status,
                         logger: Logger) async throws -> Response {
        var checksum: UploadChecksum?
        do { checksum = try UploadChecksum(header: request.headers[.uploadChecksum]) } catch {
            throw APIError(.badRequest, code: "bad_checksum", error.description, headers: Tus.fields())
        }
        let file: UploadFile
        do { file = try UploadFile(folder: vault.upload(listed.id), filename: listed.filename) } catch {
            if case .busy = error {
                throw APIError(Tus.locked, code: "upload_busy", "another request is writing this upload", headers: Tus.fields())
            }
            throw error
        }
        defer { file.close() }
        // Under the lock, where the upload stands now (another request may have written meanwhile).
        guard let upload = try await catalog.upload(id: listed.id) else {
            throw APIError(.notFound, code: "not_found", "upload \(listed.id) was terminated", headers: Tus.fields())
        }
        guard upload.offset == offset, !upload.isComplete else {
            throw APIError(.conflict, code: "wrong_offset", "the upload is at byte \(upload.offset), not \(offset): ask with HEAD and go on from there",
                           headers: Tus.fields([.uploadOffset: String(upload.offset)]))
        }
        try file.position(at: upload.offset)
        var written: Int64 = 0
        do {
            for try await buffer in request.body {
                guard upload.offset + written + Int64(buffer.readableBytes) <= upload.length else {
                    file.truncate(to: upload.offset)
                    throw APIError(.contentTooLarge, code: "past_length", "the body goes past Upload-Length \(upload.length)", headers: Tus.fields())
                }
                try file.write(buffer)
                buffer.withUnsafeReadableBytes { checksum?.update($0) }
                written += Int64(buffer.readableBytes)
            }
        } catch let error as APIError {
            throw error
        } catch {
            // The connection broke: keep what arrived, unless a checksum must vouch for it.
            if checksum == nil, written > 0 {
                try await file.sync()
                _ = try await catalog.advanceUpload(id: upload.id, from: upload.offset, to: upload.offset + written)
            } else {
                file.truncate(to: upload.offset)
            }
            throw error
        }
        if let checksum, !checksum.matches() {
            file.truncate(to: upload.offset)
            throw APIError(Tus.checksumMismatch, code: "checksum_mismatch",
                           "the body's \(checksum.algorithm.rawValue) is not Upload-Checksum's: nothing of it was kept",
                           headers: Tus.fields([.uploadOffset: String(upload.offset)]))
        }
        var advanced = upload
        if written > 0 {
            try await file.sync()
            advanced.offset += written
            guard try await catalog.advanceUpload(id: upload.id, from: upload.offset, to: advanced.offset) else {
                throw APIError(.conflict, code: "wrong_offset", "the upload moved on meanwhile", headers: Tus.fields())
            }
        }
        if advanced.isComplete {
            do { advanced.jobId = try await UploadCompletion(catalog: catalog, vault: vault, intake: intake).finish(advanced) } catch {
                // The bytes are safe; the sweeper makes the job.
                logger.error("upload \(upload.id) (\(upload.filename)) is complete but its job could not be made yet: \(error)")
            }
        }
        return Response(status: status, headers: state(of: advanced))
    }

    /// `POST /api/uploads/urls`: a one-time tus creation URL for a browser.
    private func grant(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 * 1024)
        guard let asked = try? JSONDecoder().decode(GrantBody.self, from: Data(buffer: body)) else {
            throw APIError.badRequest(#"the body must be JSON: {"title"?, "type"?, "preset"?, "maxBytes"?}"#)
        }
        let type: Catalog.MediaType? = try APIRoutes.choice(asked.type, named: "type")
        if let preset = asked.preset, !UploadMetadata.isPresetName(preset) || !intake.presetExists(preset) {
            throw APIError.badRequest("there is no preset \"\(preset)\" (a preset's name, not a path)")
        }
        if let maxBytes = asked.maxBytes, !(1...intake.maxBytes).contains(maxBytes) {
            throw APIError.badRequest("maxBytes must be from 1 to this server's --max-upload, \(intake.maxBytes)")
        }
        let secret = UploadSession.makeID() + UploadSession.makeID()
        let expiresAt = Date().addingTimeInterval(intake.grantLifetime.seconds)
        try await catalog.createUploadGrant(UploadGrant(tokenHash: Self.hash(secret), title: asked.title, type: type, preset: asked.preset,
                                                        maxBytes: asked.maxBytes, expiresAt: expiresAt))
        return json(GrantDocument(url: Self.url(request, "/api/uploads/direct/\(secret)"), expiresAt: expiresAt), status: .created)
    }

    private func existing(_ id: String) async throws -> UploadSession {
        guard let upload = try await catalog.upload(id: id) else {
            throw APIError(.notFound, code: "not_found", "no upload \(id) (finished and cleaned up, terminated, expired, or never made)", headers: Tus.fields())
        }
        return upload
    }

    /// The fields that say where an upload stands.
    private func state(of upload: UploadSession) -> HTTPFields {
        var fields = Tus.fields([.uploadOffset: String(upload.offset), .uploadLength: String(upload.length)])
        if !upload.isComplete { fields[.uploadExpires] = Self.httpDate(upload.expiresAt) }
        if let job = upload.jobId { fields[.streamVaultJob] = job }
        return fields
    }

    static func hash(_ token: String) -> String {
        SHA256.hash(data: Data(token.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// An absolute URL on the host the client asked.
    static func url(_ request: Request, _ path: String) -> String {
        guard let host = request.head.authority else { return path }
        return "http://\(host)\(path)"
    }

    /// RFC 9110's IMF-fixdate.
    static func httpDate(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    struct UploadDocument: Encodable {
        var offset: Int64
        var length: Int64
        var jobId: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(offset, forKey: .offset)
            try container.encode(length, forKey: .length)
            try container.encode(jobId, forKey: .jobId)
        }

        enum CodingKeys: CodingKey { case offset, length, jobId }
    }

    struct GrantBody: Decodable {
        var title: String?
        var type: String?
        var preset: String?
        var maxBytes: Int64?
    }

    struct GrantDocument: Encodable {
        var url: String
        var expiresAt: Date
    }
}

extension HTTPFields {
    func appending(_ more: HTTPFields) -> HTTPFields {
        var fields = self
        fields.append(contentsOf: more)
        return fields
    }
}
