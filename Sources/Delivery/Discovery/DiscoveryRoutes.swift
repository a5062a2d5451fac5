import Catalog
import Foundation
import Hummingbird

/// The original design's discovery endpoints (SPEC §15): trending titles by playback starts
/// over the last 7 days, and titles similar to one.
struct DiscoveryRoutes: Sendable {
    let catalog: any CatalogStore
    static let trendingWindow: TimeInterval = 7 * 86_400

    func register(on router: Router<DeliveryContext>) {
        router.get("/api/media/trending") { request, _ in
            let limit = try APIRoutes.number(request.uri.queryParameters["limit"].map(String.init), named: "limit", default: 20, in: 1...100)
            let items = try await catalog.trendingDocuments(since: Date(timeIntervalSinceNow: -Self.trendingWindow), limit: limit)
            return json(APIRoutes.Items(items: items))
        }
        router.get("/api/media/:id/similar") { request, context in
            let id = try context.parameters.require("id")
            let limit = try APIRoutes.number(request.uri.queryParameters["limit"].map(String.init), named: "limit", default: 20, in: 1...100)
            guard let items = try await catalog.similar(to: id, limit: limit) else { throw APIError.notFound("no title \(id)") }
            return json(APIRoutes.Items(items: items))
        }
    }
}
