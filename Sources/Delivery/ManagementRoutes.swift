import Catalog
import Foundation
import Hummingbird
import VaultLayout

/// The API's changes to the catalog, with the API token (SPEC §15): metadata edits, title
/// deletion and job cancellation, as `media edit`, `media delete` and `cancel` make them;
/// and the webhook deliveries' record.
struct ManagementRoutes: Sendable {
    let catalog: any CatalogStore
    let vault: Vault
    let token: String
    let titles: PublishedTitles

    func register(on router: Router<DeliveryContext>) {
        router.patch("/api/media/:id") { request, context in
            try APIToken.require(token, in: request.headers)
            let id = try context.parameters.require("id")
            let body = try await request.body.collect(upTo: 256 * 1024)
            let edit: MetadataEdit
            do { edit = try MetadataEdit(json: Data(buffer: body)) } catch let error as MetadataEdit.Invalid {
                throw APIError(.badRequest, code: "bad_metadata", error.description)
            }
            guard try await catalog.edit(id: id, edit), let document = try await catalog.document(id: id) else {
                throw APIError.notFound("no title \(id)")
            }
            return json(document)
        }
        router.delete("/api/media/:id") { request, context in
            try APIToken.require(token, in: request.headers)
            let id = try context.parameters.require("id")
            let removed = try await catalog.remove(title: id, from: vault)
            guard !removed.isEmpty else { throw APIError.notFound("no title \(id)") }
            removed.forEach(titles.forget)
            return json(["deleted": removed])
        }
        router.get("/api/webhooks/deliveries") { request, _ in
            try APIToken.require(token, in: request.headers)
            let limit = try APIRoutes.number(request.uri.queryParameters["limit"].map(String.init), named: "limit", default: 100, in: 1...1000)
            return json(APIRoutes.Items(items: try await catalog.webhookDeliveries(limit: limit)))
        }
        router.delete("/api/jobs/:id") { request, context in
            try APIToken.require(token, in: request.headers)
            let id = try context.parameters.require("id")
            guard let before = try await catalog.job(id: id) else { throw APIError.notFound("no job \(id)") }
            if before.state.isFinal {
                throw APIError(.conflict, code: "job_ended", "job \(id) has already ended (\(before.state.rawValue))")
            }
            guard let job = try await catalog.cancelJob(id: id) else { throw APIError.notFound("no job \(id)") }
            // A running job is being stopped by the daemons running its tasks.
            return json(JobDocument(job), status: job.state == .cancelled ? .ok : .accepted)
        }
    }
}
