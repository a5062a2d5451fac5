import Catalog
import Foundation
import HTTPTypes
import Hummingbird

/// The JSON API (SPEC §6, §9): titles, search, jobs, job submission, daemons, health.
struct APIRoutes: Sendable {
    let vault: Vault
    let catalog: any CatalogStore
    let preset: String
    let maxAttempts: Int
    let token: String

    /// A whole number query parameter within `range`, or a 400 naming it.
    static func number(_ text: String?, named name: String, default value: Int, in range: ClosedRange<Int>) throws -> Int {
        guard let text else { return value }
        guard let number = Int(text), range.contains(number) else {
            throw APIError.badRequest("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound), not \"\(text)\"")
        }
        return number
    }

    func register(on router: Router<BasicRequestContext>) {
        router.get("/healthz") { _, _ in
            do {
                try await catalog.ping()
                return json(["status": "ok"])
            } catch {
                throw APIError(.serviceUnavailable, code: "catalog_unavailable", "the catalog does not answer")
            }
        }
        router.get("/api/media") { request, _ in
            let query = request.uri.queryParameters
            let page = try Self.number(query["page"].map(String.init), named: "page", default: 1, in: 1...1_000_000)
            let limit = try Self.number(query["limit"].map(String.init), named: "limit", default: 20, in: 1...100)
            let (items, total) = try await catalog.list(
                type: query["type"].map(String.init), genre: query["genre"].map(String.init), page: page, limit: limit)
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
        router.get("/api/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: OpenAPIDocument.json)))
        }
        router.get("/api/nodes") { _, _ in
            let daemons = try await catalog.daemons(seenSince: Date(timeIntervalSinceNow: -60))
            return json(Items(items: daemons.map(NodeDocument.init)))
        }
        router.get("/api/jobs") { request, _ in
            let state = try request.uri.queryParameters["state"].map { text in
                guard let state = Job.State(rawValue: String(text)) else {
                    throw APIError.badRequest("state must be one of \(Job.State.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return state
            }
            return json(Items(items: try await catalog.jobs(state: state).map(JobDocument.init)))
        }
        router.get("/api/jobs/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let job = try await catalog.job(id: id) else { throw APIError.notFound("no job \(id)") }
            return json(JobDocument(job, tasks: try await catalog.tasks(jobID: job.id)))
        }
        router.post("/api/jobs") { request, context in
            guard request.headers[.authorization] == "Bearer \(token)" else {
                throw APIError(.unauthorized, code: "unauthorized", "an Authorization: Bearer <token> header with the API token is required")
            }
            let body = try await request.body.collect(upTo: 64 * 1024)
            guard let submission = try? JSONDecoder().decode(SubmissionBody.self, from: body) else {
                throw APIError.badRequest(#"the body must be JSON: {"path": "/file/on/the/server", "title": "optional"}"#)
            }
            do {
                let job = try await JobSubmission(
                    file: submission.path, title: submission.title, type: submission.type, preset: preset,
                    maxAttempts: maxAttempts, origin: .api, mayCopy: false
                ).enqueue(in: vault, catalog: catalog)
                return json(JobDocument(job), status: .created)
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
