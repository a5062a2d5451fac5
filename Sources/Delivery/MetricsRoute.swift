import Catalog
import Hummingbird
import Metrics
import Prometheus

/// `GET /metrics`: Prometheus text. Jobs by state are counted from the catalog at each
/// scrape; frames encoded, transcode speed and the HTTP figures come from swift-metrics,
/// which `serve` backs with this registry.
struct MetricsRoute: Sendable {
    let catalog: any CatalogStore
    let registry: PrometheusCollectorRegistry

    func register(on router: Router<BasicRequestContext>) {
        router.get("/metrics") { _, _ in
            let jobs = try await catalog.jobs(state: nil)
            for state in Job.State.allCases {
                Gauge(label: "streamvault_jobs", dimensions: [("state", state.rawValue)])
                    .record(jobs.filter { $0.state == state }.count)
            }
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }
}
