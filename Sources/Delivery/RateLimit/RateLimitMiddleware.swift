import Foundation
import HTTPTypes
import Hummingbird
import VaultLayout

/// `serve --rate-limit N/WINDOW` (SPEC §12): at most N requests per client address in each
/// window on `/api/` and the pages; past it 429 with `Retry-After`. Every answer it counts
/// says `RateLimit-Limit`, `RateLimit-Remaining` and `RateLimit-Reset`. Playback (`/hls/`,
/// `/keys/`), `/healthz` and `/metrics` are not counted: a player asks for a segment every
/// few seconds, and a monitor must always get through.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = DeliveryContext

    let limit: RateLimit
    let clients: ClientAddresses
    let counter: AddressCounter

    init(limit: RateLimit, clients: ClientAddresses) {
        self.limit = limit
        self.clients = clients
        counter = AddressCounter(window: limit.window)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard !path.hasPrefix(TitleLayout.servedPrefix), !path.hasPrefix(TitleLayout.keyPrefix),
              path != "/healthz", path != "/metrics" else {
            return try await next(request, context)
        }
        let reading = counter.record(clients.address(of: request, peer: context.remoteAddress))
        let fields: HTTPFields = [
            .rateLimitLimit: String(limit.requests), .rateLimitRemaining: String(max(0, limit.requests - reading.count)),
            .rateLimitReset: String(reading.secondsLeft),
        ]
        guard reading.count <= limit.requests else {
            var headers = fields
            headers[.retryAfter] = String(reading.secondsLeft)
            throw APIError(.tooManyRequests, code: "rate_limited",
                           "more than \(limit); try again in \(reading.secondsLeft) s", headers: headers)
        }
        var response = try await next(request, context)
        response.headers.append(contentsOf: fields)
        return response
    }
}

/// `N/WINDOW`: `600/1m`, `100/10s`, `5000/1h`.
public struct RateLimit: Sendable, Equatable, CustomStringConvertible {
    public let requests: Int
    public let window: Duration

    public init(requests: Int, window: Duration) {
        self.requests = requests
        self.window = window
    }

    /// Reads `N/WINDOW` (a window of seconds, minutes or hours, its number 1 when left out).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1)
        guard parts.count == 2, let requests = Int(parts[0]), requests > 0, let unit = parts[1].last else { return nil }
        let amount = parts[1].dropLast().isEmpty ? 1 : Int(parts[1].dropLast())
        let seconds: Int? = switch unit {
        case "s": 1
        case "m": 60
        case "h": 3600
        default: nil
        }
        guard let amount, amount > 0, let seconds else { return nil }
        self.init(requests: requests, window: .seconds(amount * seconds))
    }

    public var description: String { "\(requests) per \(window.components.seconds) s" }
}

extension HTTPField.Name {
    static let rateLimitLimit = Self("RateLimit-Limit")!
    static let rateLimitRemaining = Self("RateLimit-Remaining")!
    static let rateLimitReset = Self("RateLimit-Reset")!
}
