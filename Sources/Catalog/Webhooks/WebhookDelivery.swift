import Foundation

/// One event to send to one endpoint, as a daemon claims it from the outbox: at least once,
/// in order per title (the next event of a title waits until the one before is delivered or
/// given up).
public struct WebhookDelivery: Codable, Sendable, Equatable {
    /// The event's place in the outbox, ascending.
    public var seq: Int
    public var url: String
    public var eventId: String
    public var type: WebhookEvent.Kind
    public var mediaId: String
    public var body: String
    /// Attempts made before this one.
    public var attempts: Int
    public var createdAt: Date
}

/// How one attempt went.
public enum WebhookAttempt: Sendable, Equatable {
    /// A 2xx answer.
    case delivered(status: Int)
    /// A non-2xx answer (its status), a refused connection or no answer in time: tried again
    /// at `retryAt`, or given up when nil.
    case failed(status: Int?, error: String, retryAt: Date?)
}

/// A delivery as `GET /api/webhooks/deliveries` shows it.
public struct WebhookDeliveryRecord: Codable, Sendable, Equatable {
    public enum State: String, Codable, Sendable {
        case pending, delivered, abandoned
    }

    public var eventId: String
    public var type: WebhookEvent.Kind
    public var mediaId: String
    public var url: String
    public var state: State
    public var attempts: Int
    public var lastStatus: Int?
    public var lastError: String?
    public var createdAt: Date
    public var lastAttemptAt: Date?
    public var nextAttemptAt: Date?
    public var deliveredAt: Date?
}
