import Catalog
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle

/// The HTTP side of `streamvault serve` (Hummingbird 2): published titles under `/hls/`,
/// the JSON API under `/api/`, the web pages `/` and `/watch/<id>`, `/healthz` and `/metrics`.
public struct DeliveryServer: Service, CustomStringConvertible {
    let vault: Vault
    let catalog: any CatalogStore
    let preset: String
    let maxAttempts: Int
    let token: String
    let host: String
    let port: Int
    let registry: PrometheusCollectorRegistry
    let logger: Logger

    public init(vault: Vault, catalog: any CatalogStore, preset: String, maxAttempts: Int, token: String,
                host: String, port: Int, registry: PrometheusCollectorRegistry, logger: Logger) {
        self.vault = vault
        self.catalog = catalog
        self.preset = preset
        self.maxAttempts = maxAttempts
        self.token = token
        self.host = host
        self.port = port
        self.registry = registry
        self.logger = logger
    }

    /// The router with every route and middleware, for the server and for in-process tests.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: ServerMiddleware())
        let files = HLSFileProvider(root: vault.mediaFolder)
        router.add(middleware: HLSGuard(vault: vault, catalog: catalog, files: files))
        router.add(middleware: FileMiddleware(fileProvider: files, urlBasePath: "/hls"))
        APIRoutes(vault: vault, catalog: catalog, preset: preset, maxAttempts: maxAttempts, token: token).register(on: router)
        MetricsRoute(catalog: catalog, registry: registry).register(on: router)
        WebPages(catalog: catalog).register(on: router)
        return router
    }

    public func run() async throws {
        let application = Application(
            router: router(),
            configuration: .init(address: .hostname(host, port: port), serverName: "StreamVault"),
            logger: logger)
        try await application.run()  // within the daemon's ServiceGroup: its signals, its graceful shutdown
    }

    /// Names the service in logs without its token.
    public var description: String { "DeliveryServer(http://\(host):\(port))" }
}
