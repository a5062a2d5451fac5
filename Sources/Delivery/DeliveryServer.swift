import Catalog
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import VaultLayout

/// The HTTP side of `streamvault serve` (Hummingbird 2): published titles under `/hls/`,
/// the JSON API under `/api/`, the web pages `/` and `/watch/<id>`, `/healthz` and `/metrics`.
public struct DeliveryServer: Service, CustomStringConvertible {
    let vault: Vault
    let catalog: any CatalogStore
    let token: String
    let submit: FileSubmitter
    let host: String
    let port: Int
    let registry: PrometheusCollectorRegistry
    let logger: Logger

    /// - Parameter submit: how `POST /api/jobs` queues a file (the daemon's `JobSubmission`).
    public init(vault: Vault, catalog: any CatalogStore, token: String, submit: @escaping FileSubmitter,
                host: String, port: Int, registry: PrometheusCollectorRegistry, logger: Logger) {
        self.vault = vault
        self.catalog = catalog
        self.token = token
        self.submit = submit
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
        router.add(middleware: FileMiddleware(fileProvider: files, urlBasePath: String(TitleLayout.servedPrefix.dropLast())))
        APIRoutes(catalog: catalog, token: token, submit: submit).register(on: router)
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
