import Catalog
import Foundation
import Hummingbird
import Logging
import Prometheus
import ServiceLifecycle
import VaultLayout

/// The HTTP side of `streamvault serve` (Hummingbird 2): published titles under `/hls/`,
/// the JSON API under `/api/`, the web pages `/`, `/watch/<id>` and `/upload`, `/healthz` and `/metrics`.
public struct DeliveryServer: Service, CustomStringConvertible {
    let vault: Vault
    let catalog: any CatalogStore
    let token: String
    let submit: FileSubmitter
    let host: String
    let port: Int
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    let access: AccessRules
    let uploads: UploadIntake?

    /// - Parameters:
    ///   - submit: how `POST /api/jobs` queues a file (the daemon's `JobSubmission`).
    ///   - uploads: how `/api/uploads` takes files (`serve` always gives it; without it there
    ///     are no upload routes).
    public init(vault: Vault, catalog: any CatalogStore, token: String, submit: @escaping FileSubmitter,
                host: String, port: Int, registry: PrometheusCollectorRegistry, logger: Logger, access: AccessRules = AccessRules(),
                uploads: UploadIntake? = nil) {
        self.vault = vault
        self.catalog = catalog
        self.token = token
        self.submit = submit
        self.host = host
        self.port = port
        self.registry = registry
        self.logger = logger
        self.access = access
        self.uploads = uploads
    }

    /// The router with every route and middleware, for in-process tests (playback starts
    /// are noted, not written).
    public func router() -> Router<DeliveryContext> { router(starts: PlaybackStarts(catalog: catalog)) }

    /// The router with every route and middleware; `starts` counts the playback starts it serves.
    func router(starts: PlaybackStarts) -> Router<DeliveryContext> {
        let router = Router(context: DeliveryContext.self)
        router.add(middleware: ServerMiddleware())
        let clients = ClientAddresses(trustedProxies: access.trustedProxies)
        if let limit = access.rateLimit { router.add(middleware: RateLimitMiddleware(limit: limit, clients: clients)) }
        let files = HLSFileProvider(root: vault.mediaFolder)
        let titles = PublishedTitles(catalog: catalog)
        if let keys = access.playbackKeys {
            router.add(middleware: PlaybackGuard(verifier: PlaybackTokenVerifier(keys: keys), titles: titles, clients: clients))
        }
        router.add(middleware: HLSGuard(vault: vault, titles: titles, files: files, starts: starts, clients: clients))
        router.add(middleware: FileMiddleware(fileProvider: files, urlBasePath: String(TitleLayout.servedPrefix.dropLast())))
        APIRoutes(catalog: catalog, token: token, submit: submit).register(on: router)
        DiscoveryRoutes(catalog: catalog).register(on: router)
        ManagementRoutes(catalog: catalog, vault: vault, token: token, titles: titles).register(on: router)
        if let uploads {
            UploadRoutes(catalog: catalog, vault: vault, token: token, intake: uploads).register(on: router)
            UploadPage().register(on: router)
        }
        KeyRoute(catalog: catalog, titles: titles).register(on: router)
        MetricsRoute(catalog: catalog, registry: registry).register(on: router)
        WebPages(catalog: catalog, isProtected: access.playbackKeys != nil).register(on: router)
        return router
    }

    /// Watches the playback key set for changes and counts playback starts while the server runs.
    public func run() async throws {
        let starts = PlaybackStarts(catalog: catalog)
        try await withThrowingDiscardingTaskGroup { group in
            if let keys = access.playbackKeys { group.addTask { await keys.watch() } }
            group.addTask { await starts.run(logger: logger) }
            try await serve(starts: starts)
            group.cancelAll()
        }
    }

    private func serve(starts: PlaybackStarts) async throws {
        let application = Application(
            router: router(starts: starts),
            configuration: .init(address: .hostname(host, port: port), serverName: "StreamVault"),
            logger: logger)
        try await application.run()  // within the daemon's ServiceGroup: its signals, its graceful shutdown
    }

    /// Names the service in logs without its token.
    public var description: String { "DeliveryServer(http://\(host):\(port))" }
}

