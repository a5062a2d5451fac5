import Catalog
import Hummingbird
import Metrics
import Prometheus

/// `GET /metrics`: Prometheus text. Jobs by state are counted by the catalog (in SQL) at each
/// scrape; frames encoded, transcode speed and the HTTP figures come from swift-metrics,
/// which `serve` backs with this registry.
struct MetricsRoute: Sendable {
    let catalog: any CatalogStore
    let registry: PrometheusCollectorRegistry

    func register(on router: Router<DeliveryContext>) {
        router.get("/metrics") { _, _ in
            let counts = try await catalog.jobCounts()
            for state in Job.State.allCases {
                Gauge(label: "streamvault_jobs", dimensions: [("state", state.rawValue)]).record(counts[state] ?? 0)
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
