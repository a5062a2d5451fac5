import Foundation
import HTTPTypes
import Hummingbird

/// Every error the server answers with, as JSON `{"error": {"code", "message"}}` and the
/// right status; never a stack trace.
public struct APIError: HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    /// Fields the answer carries besides its type (`Retry-After`, `RateLimit-*`).
    public let headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    static func notFound(_ what: String) -> APIError { APIError(.notFound, code: "not_found", what) }
    static func badRequest(_ why: String) -> APIError { APIError(.badRequest, code: "bad_request", why) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = ["error": ["code": code, "message": message]]
        let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys])
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields,
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
