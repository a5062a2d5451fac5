import Foundation
import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// The outermost layer of every request: refuses oversized URLs and headers, turns every
/// error into the JSON error shape (never a stack trace), and measures requests, bytes
/// and latency for `/metrics`.
struct ServerMiddleware: RouterMiddleware {
    typealias Context = DeliveryContext

    static let maximumURLLength = 8 * 1024
    static let maximumHeaderBytes = 16 * 1024

    private let requests = RequestCounters()
    private let bytes = Counter(label: "streamvault_http_response_bytes_total")
    private let latency = Timer(label: "streamvault_http_request_duration_seconds")

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await checkedResponse(request, context: context, next: next)
        } catch let error as APIError {
            response = try error.response(from: request, context: context)
        } catch let error as any HTTPResponseError {
            let message = error.status == .notFound ? "no such resource" : error.status.reasonPhrase
            response = try APIError(error.status, code: Self.code(error.status), message).response(from: request, context: context)
        } catch {
            context.logger.error("\(request.method) \(request.uri.path): \(error)")
            response = try APIError(.internalServerError, code: "internal", "something went wrong on our side")
                .response(from: request, context: context)
        }
        requests.counter(method: request.method.rawValue, status: response.status.code).increment()
        if let sent = response.headers[.contentLength].flatMap({ Int($0) }) ?? response.body.contentLength, sent > 0 {
            bytes.increment(by: sent)
        }
        let elapsed = ContinuousClock.now - start
        latency.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        return response
    }

    private func checkedResponse(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.description.utf8.count <= Self.maximumURLLength else {
            throw APIError(.uriTooLong, code: "uri_too_long", "the URL is longer than \(Self.maximumURLLength) bytes")
        }
        let headerBytes = request.headers.reduce(0) { $0 + $1.name.rawName.utf8.count + $1.value.utf8.count + 4 }
        guard headerBytes <= Self.maximumHeaderBytes else {
            throw APIError(.requestHeaderFieldsTooLarge, code: "headers_too_large", "the headers are larger than 16 KiB")
        }
        return try await next(request, context)
    }

    private static func code(_ status: HTTPResponse.Status) -> String {
        status.reasonPhrase.lowercased().replacingOccurrences(of: " ", with: "_").filter { $0.isLetter || $0 == "_" }
    }
}

/// `streamvault_http_requests_total` by method and status, each counter made once.
final class RequestCounters: Sendable {
    private struct Key: Hashable {
        let method: String
        let status: Int
    }

    private let counters = Mutex<[Key: Counter]>([:])

    func counter(method: String, status: Int) -> Counter {
        counters.withLock { counters in
            let key = Key(method: method, status: status)
            if let counter = counters[key] { return counter }
            let counter = Counter(label: "streamvault_http_requests_total", dimensions: [("method", method), ("status", String(status))])
            counters[key] = counter
            return counter
        }
    }
}
