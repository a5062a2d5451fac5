import ArgumentParser
import Catalog
import Delivery
import Foundation
import Ingest
import Logging
import Metrics
import Packager
import Prometheus
import ServiceLifecycle
import VaultLayout

/// `streamvault serve`: the daemon. Watcher, job workers and HTTP server in one
/// ServiceGroup; SIGINT/SIGTERM stop it gracefully (no new claims, running jobs requeued).
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: watch ingest/, package jobs in worker processes, serve HTTP.")

    @Option(help: "Address to serve HTTP on.") var http = "127.0.0.1:8080"
    @Option(help: "Video chunks packaged at once, each in its own process (x264's threads are shared between them); as many light tasks (plans, audio, finishing) run beside them; 0 makes a daemon that ingests and serves but packages nothing. Default: one per 4 cores, at least 1.")
    var workers = max(1, ProcessInfo.processInfo.activeProcessorCount / 4)
    @Option(help: "This daemon's name on the tasks it runs (default: the host name).")
    var node = ProcessInfo.processInfo.hostName
    @Option(help: "Preset for files dropped into ingest/ (name or path).") var preset = "default"
    @Option(help: ArgumentHelp("Seconds a task's claim holds without a heartbeat before another daemon takes it over.", visibility: .hidden))
    var lease: Double = 30
    @Option(help: "Seconds a file's size and time must stay unchanged before it is taken.") var settle: Double = 5
    @Option(help: "Seconds before a failed attempt is retried; doubled at each retry.") var retryDelay: Double = 10
    @Option(help: "Seconds a worker may go without progress before it is killed and its attempt fails as stalled.")
    var stallTimeout: Double = 120
    @Option(help: "Resident memory a worker may use, in GiB, before it is killed and its attempt fails naming memory.")
    var workerMemory: Double = 4
    @Option(help: "Bearer token for POST /api/jobs (default: <root>/api-token, made at first start).") var apiToken: String?
    @Option(help: "A JWK Set of keys that verify playback tokens (streamvault keygen): with it, /hls/ and /keys/ need a token. Read again when it changes.")
    var playbackKeys: String?
    @Option(help: "Requests per client address on /api/ and the pages: N/WINDOW (600/1m, 100/10s, 5000/1h), 0 for none.")
    var rateLimit = "600/1m"
    @Option(help: "A proxy or CDN (CIDR, repeatable) whose X-Forwarded-For names the client.") var trustProxy: [String] = []
    @Option(help: "POST signed events (media.processing, media.ready, media.deleted, job.failed, job.duplicate) to this http(s) URL; repeatable.")
    var webhook: [String] = []
    @Option(help: "The file holding the key that signs webhook deliveries (default: <root>/webhook-secret, made at first start).")
    var webhookSecret: String?
    @Option(help: "The largest upload taken (POST /api/uploads): bytes, or 500MB, 50GiB.") var maxUpload = "50GiB"
    @Option(help: "How long an incomplete upload is kept: 90s, 30m, 24h, 7d.") var uploadExpiry = "24h"
    @OptionGroup var options: CommonOptions

    func validate() throws {
        guard workers >= 0 else { throw ValidationError("--workers must be 0 or more") }
        guard stallTimeout >= 1, workerMemory > 0 else { throw ValidationError("--stall-timeout must be at least 1 s and --worker-memory above 0") }
        guard lease >= 2, lease <= 60 else { throw ValidationError("--lease must be 2 to 60 seconds") }
        guard settle >= 0, retryDelay >= 0 else { throw ValidationError("--settle and --retry-delay must not be negative") }
        guard HTTPAddress(http) != nil else { throw ValidationError("--http must be HOST:PORT, e.g. 127.0.0.1:8080") }
        guard rateLimit == "0" || RateLimit(rateLimit) != nil else { throw ValidationError("--rate-limit must be N/WINDOW (600/1m) or 0") }
        if let bad = trustProxy.first(where: { AddressRange($0) == nil }) {
            throw ValidationError("--trust-proxy \(bad) is not an address or CIDR (10.0.0.0/8, 2001:db8::/32)")
        }
        guard Amounts.bytes(maxUpload) != nil else { throw ValidationError("--max-upload must be a size: 1000000, 500MB, 50GiB") }
        guard Amounts.seconds(uploadExpiry) != nil else { throw ValidationError("--upload-expiry must be a number and s, m, h or d: 30m, 24h") }
        if let bad = webhook.first(where: { WebhookDispatcher.validate($0) == nil }) {
            throw ValidationError("--webhook \(bad) is not an http:// or https:// URL with a host")
        }
    }

    func run() async throws {
        options.bootstrapLogging()
        // A worker that exits before it has read its stdin must not take the daemon with it.
        signal(SIGPIPE, SIG_IGN)
        var logger = Logger(label: "streamvault")
        logger.logLevel = options.logLevel
        let vault = Vault(root: options.rootURL)
        let catalog: any CatalogStore
        let preset: Packager.Preset
        let token: String
        do {
            // A daemon waits for its PostgreSQL server for ever (logging each try) rather
            // than exit and be restarted in a loop.
            catalog = try await options.openCatalog(patience: nil)
            preset = try options.presets.load(self.preset)
            token = try apiToken ?? SecretFile.loadOrCreate(at: vault.apiToken)
            try await VaultRecovery(vault: vault, catalog: catalog, logger: logger).run()
        } catch {
            throw OperationFailed(error)
        }
        var access = AccessRules(rateLimit: RateLimit(rateLimit), trustedProxies: trustProxy.compactMap(AddressRange.init))
        if let playbackKeys {
            do { access.playbackKeys = try await PlaybackKeys(file: URL(fileURLWithPath: playbackKeys), logger: logger) } catch {
                throw ValidationError("--playback-keys \(error)")
            }
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if !webhook.isEmpty {
            let secret: String
            if let webhookSecret {
                guard let text = try? String(contentsOfFile: webhookSecret, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines),
                      !text.isEmpty else { throw ValidationError("--webhook-secret \(webhookSecret): cannot be read, or is empty") }
                secret = text
            } else {
                do { secret = try SecretFile.loadOrCreate(at: vault.webhookSecret) } catch { throw OperationFailed(error) }
            }
            services.append(.init(service: WebhookDispatcher(endpoints: webhook.compactMap(WebhookDispatcher.validate), secret: secret,
                                                             catalog: catalog, logger: logger)))
        }
        let address = HTTPAddress(http)!
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let ingest = IngestService(vault: vault, catalog: catalog, preset: self.preset, maxAttempts: preset.maxAttempts,
                                   settle: .milliseconds(Int(settle * 1000)), logger: logger)
        let pool = WorkerPool(vault: vault, catalog: catalog, executable: URL(fileURLWithPath: CommandLine.executablePath),
                              workers: workers, node: node, http: http, lease: .milliseconds(Int(lease * 1000)),
                              retryDelay: .milliseconds(Int(retryDelay * 1000)),
                              limits: WorkerLimits(stallTimeout: .milliseconds(Int(stallTimeout * 1000)),
                                                   memory: Int(workerMemory * Double(1 << 30))),
                              logger: logger)
        let submission = (preset: self.preset, maxAttempts: preset.maxAttempts)
        /// How the API queues a file (`POST /api/jobs`, a complete upload): linked only, so a
        /// request never copies gigabytes while its client waits.
        let enqueue = { @Sendable (path: String, title: String?, type: MediaType?, preset: String?) async throws -> Job in
            try await JobSubmission(file: path, title: title, type: type, preset: preset ?? submission.preset,
                                    maxAttempts: submission.maxAttempts, origin: .api, mayCopy: false).enqueue(in: vault, catalog: catalog)
        }
        let presets = options.presets
        let uploads = UploadIntake(
            maxBytes: Amounts.bytes(maxUpload)!, expiry: .milliseconds(Int(Amounts.seconds(uploadExpiry)! * 1000)),
            presetExists: { (try? presets.load($0)) != nil },
            submit: { file, title, type, preset in try await enqueue(file.path, title, type, preset) })
        services.append(.init(service: UploadSweeper(catalog: catalog, vault: vault, intake: uploads, logger: logger)))
        let server = DeliveryServer(vault: vault, catalog: catalog, token: token, submit: { path, title, type in
            try await enqueue(path, title, type, nil)
        }, host: address.host, port: address.port, registry: registry, logger: logger, access: access, uploads: uploads)
        FileHandle.standardOutput.write(Data("""
            StreamVault: drop files into \(vault.ingest.path)
            open http://\(address.host):\(address.port)/

            """.utf8))
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: server), .init(service: pool), .init(service: ingest)] + services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
    }
}

/// `HOST:PORT`.
struct HTTPAddress {
    let host: String
    let port: Int

    init?(_ text: String) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        host = String(text[..<colon])
        self.port = port
    }
}

extension CommandLine {
    /// This executable, to start workers of the same binary.
    static var executablePath: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? arguments[0]
    }
}
