import Catalog
import Foundation
import HTTPTypes
import Hummingbird

/// Queues a file already on the server's disk for `POST /api/jobs` (the daemon gives the
/// Ingest module's `JobSubmission`): Delivery itself never touches a caller's file. Throws
/// `SubmissionError` for a file that cannot be taken.
public typealias FileSubmitter = @Sendable (_ path: String, _ title: String?, _ type: Catalog.MediaType?) async throws -> Job

/// The JSON API (SPEC §6, §9): titles, search, jobs, job submission, daemons, health.
struct APIRoutes: Sendable {
    let catalog: any CatalogStore
    let token: String
    let submit: FileSubmitter

    /// A whole number query parameter within `range`, or a 400 naming it.
    static func number(_ text: String?, named name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.badRequest("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
        }
        return number
    }

    /// A value of a closed list (`?type=`, `?state=`), or a 400 naming the list.
    static func choice<T: RawRepresentable & CaseIterable>(_ text: String?, named name: String) throws -> T? where T.RawValue == String {
        guard let text else { return nil }
        guard let value = T(rawValue: text) else {
            throw APIError.badRequest("\(name) must be one of \(T.allCases.map(\.rawValue).joined(separator: ", ")), not \"\(text)\"")
        }
        return value
    }

    func register(on router: Router<DeliveryContext>) {
        registerHealth(on: router)
        registerMedia(on: router)
        registerJobs(on: router)
        router.get("/api/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.get("/api/nodes") { _, _ in
            let daemons = try await catalog.daemons(seenSince: Date(timeIntervalSinceNow: -60))
            return json(Items(items: daemons.map(NodeDocument.init)))
        }
    }

    private func registerHealth(on router: Router<DeliveryContext>) {
        router.get("/healthz") { _, _ in
            do {
                try await catalog.ping()
                return json(["status": "ok"])
            } catch {
                throw APIError(.serviceUnavailable, code: "catalog_unavailable", "the catalog does not answer")
            }
        }
    }

    private func registerMedia(on router: Router<DeliveryContext>) {
        router.get("/api/media") { request, _ in
            let query = request.uri.queryParameters
            let page = try Self.number(query["page"].map(String.init), named: "page", default: 1, in: 1...1_000_000)
            let limit = try Self.number(query["limit"].map(String.init), named: "limit", default: 20, in: 1...100)
            let type: Catalog.MediaType? = try Self.choice(query["type"].map(String.init), named: "type")
            let (items, total) = try await catalog.list(type: type, genre: query["genre"].map(String.init), page: page, limit: limit)
            return json(MediaPage(items: items, total: total, page: page, limit: limit))
        }
        router.get("/api/media/search") { request, _ in
            guard let text = request.uri.queryParameters["q"].map(String.init), !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw APIError.badRequest("give the words to search for as ?q=")
            }
            // Every word is searched as a prefix, so no query is a syntax error; one without
            // any word (only quotes, stars, operators) is refused.
            guard text.contains(where: { $0.isLetter || $0.isNumber }) else {
                throw APIError.badRequest("?q= holds no word to search for (letters or digits)")
            }
            return json(Items(items: try await catalog.searchDocuments(text, limit: 50)))
        }
        router.get("/api/media/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let document = try await catalog.document(id: id) else { throw APIError.notFound("no title \(id)") }
            return json(document)
        }
    }

    private func registerJobs(on router: Router<DeliveryContext>) {
        router.get("/api/jobs") { request, _ in
            let state: Job.State? = try Self.choice(request.uri.queryParameters["state"].map(String.init), named: "state")
            return json(Items(items: try await catalog.jobs(state: state).map(JobDocument.init)))
        }
        router.get("/api/jobs/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let job = try await catalog.job(id: id) else { throw APIError.notFound("no job \(id)") }
            return json(JobDocument(job, tasks: try await catalog.tasks(jobID: job.id)))
        }
        router.post("/api/jobs") { request, _ in
            try APIToken.require(token, in: request.headers)
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let submission = try? JSONDecoder().decode(SubmissionBody.self, from: body) else {
                throw APIError.badRequest(#"the body must be JSON: {"path": "/file/on/the/server", "title": "optional", "type": "optional"}"#)
            }
            let type: Catalog.MediaType? = try Self.choice(submission.type, named: "type")
            do {
                return json(JobDocument(try await submit(submission.path, submission.title, type)), status: .created)
            } catch let error as SubmissionError {
                throw APIError(.unprocessableContent, code: "bad_file", error.description)
            }
        }
    }

    struct SubmissionBody: Decodable {
        var path: String
        var title: String?
        var type: String?
    }

    struct MediaPage: Encodable {
        var items: [MediaDocument]
        var total: Int
        var page: Int
        var limit: Int
    }

    struct Items<Item: Encodable>: Encodable {
        var items: [Item]
    }
}

/// A JSON response in StreamVault's one JSON configuration.
func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
    let data = (try? CatalogJSON.encoder().encode(value)) ?? Data("{}".utf8)
    return Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                    body: .init(byteBuffer: ByteBuffer(bytes: data)))
}
