import AsyncHTTPClient
import Catalog
import Foundation
import Logging
import Metrics
import NIOCore
import ServiceLifecycle

/// Sends the catalog's webhook outbox to `serve --webhook` endpoints (SPEC §15): each POST
/// signed (`WebhookSignature`), in order per title, at least once — a non-2xx answer, a
/// refused connection or 10 s without an answer is retried (`WebhookBackoff`). Deliveries
/// are leased from the catalog, so any daemon of a vault may send them and one that stops
/// leaves nothing lost.
public struct WebhookDispatcher: Service {
    let endpoints: [URL]
    let secret: String
    let catalog: any CatalogStore
    let logger: Logger
    let owner = LeaseOwner.thisProcess()
    /// How long a daemon waits between looks at an idle outbox.
    static let idle = Duration.milliseconds(200)
    static let timeout = TimeAmount.seconds(10)
    static let concurrent = 8

    public init(endpoints: [URL], secret: String, catalog: any CatalogStore, logger: Logger) {
        self.endpoints = endpoints
        self.secret = secret
        self.catalog = catalog
        self.logger = logger
    }

    /// A usage error for a URL that is not http(s) with a host.
    public static func validate(_ text: String) -> URL? {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
              let host = url.host, !host.isEmpty else { return nil }
        return url
    }

    /// Delivers until the daemon stops: then a delivery in flight is cancelled (its lease
    /// runs out and it is sent again, by this daemon once restarted or by another).
    public func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for endpoint in endpoints { group.addTask { await deliver(to: endpoint, with: client) } }
            }
        }
        try await client.shutdown()
    }

    /// Claims and sends `endpoint`'s deliveries until the daemon stops.
    private func deliver(to endpoint: URL, with client: HTTPClient) async {
        let url = endpoint.absoluteString
        while !Task.isCancelled {
            do {
                try await catalog.registerWebhook(url: url)
                break
            } catch {
                logger.warning("webhook \(url): cannot register it in the catalog, trying again: \(error)")
                try? await Task.sleep(for: .seconds(1))
            }
        }
        while !Task.isCancelled {
            let due: [WebhookDelivery]
            do {
                due = try await catalog.claimWebhookDeliveries(url: url, owner: owner, lease: .seconds(30), limit: Self.concurrent)
            } catch {
                logger.warning("webhook \(url): the outbox cannot be read: \(error)")
                due = []
            }
            if due.isEmpty {
                try? await Task.sleep(for: Self.idle)
                continue
            }
            await withDiscardingTaskGroup { group in
                for delivery in due { group.addTask { await send(delivery, to: endpoint, with: client) } }
            }
        }
    }

    private func send(_ delivery: WebhookDelivery, to endpoint: URL, with client: HTTPClient) async {
        let body = Data(delivery.body.utf8)
        var request = HTTPClientRequest(url: endpoint.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "StreamVault-Webhooks")
        request.headers.add(name: "StreamVault-Event", value: delivery.type.rawValue)
        request.headers.add(name: "StreamVault-Event-Id", value: delivery.eventId)
        request.headers.add(name: "StreamVault-Signature", value: WebhookSignature.header(secret: secret, body: body, at: Date()))
        request.body = .bytes(ByteBuffer(bytes: body))
        let attempt: WebhookAttempt
        do {
            let response = try await client.execute(request, timeout: Self.timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            let status = Int(response.status.code)
            attempt = (200..<300).contains(status)
                ? .delivered(status: status) : failed(delivery, status: status, error: "answered \(response.status)")
        } catch {
            attempt = failed(delivery, status: nil, error: "\(error)")
        }
        switch attempt {
        case .delivered:
            Counter(label: "streamvault_webhook_deliveries_total", dimensions: [("outcome", "delivered")]).increment()
            Timer(label: "streamvault_webhook_delivery_latency_seconds").recordInterval(since: delivery.createdAt)
        case let .failed(_, error, retryAt):
            Counter(label: "streamvault_webhook_deliveries_total", dimensions: [("outcome", retryAt == nil ? "abandoned" : "failed")]).increment()
            let next = retryAt.map { "trying again at \($0)" } ?? "given up after 24 h"
            logger.warning("webhook \(delivery.type.rawValue) \(delivery.eventId) to \(endpoint.absoluteString): \(error); \(next)")
        }
        do { try await catalog.recordWebhookAttempt(delivery, owner: owner, attempt) } catch {
            // Its lease runs out and it is sent again: at least once.
            logger.warning("webhook \(delivery.eventId): the attempt could not be recorded: \(error)")
        }
    }

    private func failed(_ delivery: WebhookDelivery, status: Int?, error: String) -> WebhookAttempt {
        .failed(status: status, error: error,
                retryAt: WebhookBackoff.retryAt(after: delivery.attempts + 1, createdAt: delivery.createdAt, now: Date()))
    }
}

extension Timer {
    /// Records the time from `start` to now.
    func recordInterval(since start: Date) {
        recordNanoseconds(Int64(max(0, Date().timeIntervalSince(start)) * 1e9))
    }
}
