import Foundation

/// What a webhook announces (SPEC §15): JSON `{"id", "type", "createdAt", "data": {"job",
/// "media"}}` with the API's shapes, made in the transaction of the change it announces and
/// sent byte for byte as stored, at every attempt.
public struct WebhookEvent: Encodable, Sendable {
    public enum Kind: String, Codable, CaseIterable, Sendable {
        /// A title became playable while it is packaged.
        case mediaProcessing = "media.processing"
        case mediaReady = "media.ready"
        case mediaDeleted = "media.deleted"
        case jobFailed = "job.failed"
        /// The job's content is an existing title (`data.media`).
        case jobDuplicate = "job.duplicate"
    }

    public struct Payload: Encodable, Sendable {
        public var job: JobDocument?
        public var media: MediaDocument?

        /// Both keys always present, `null` when there is none.
        public func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(job, forKey: .job)
            try container.encode(media, forKey: .media)
        }

        enum CodingKeys: CodingKey { case job, media }
    }

    public var id: String
    public var type: Kind
    public var createdAt: Date
    public var data: Payload

    public init(_ type: Kind, job: Job?, media: MediaDocument?, at now: Date = Date()) {
        id = "evt_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        self.type = type
        createdAt = now
        data = Payload(job: job.map(JobDocument.init), media: media)
    }

    /// The body every delivery of it sends.
    public var body: String {
        (try? String(decoding: CatalogJSON.encoder().encode(self), as: UTF8.self)) ?? "{}"
    }
}

extension JobSnapshot {
    /// The event that saving this snapshot announces: its job ended as succeeded (its
    /// title is ready), failed, or duplicate.
    public var announcement: WebhookEvent.Kind? {
        guard endedNow, let job else { return nil }
        return switch job.state {
        case .succeeded: .mediaReady
        case .failed: .jobFailed
        case .duplicate: .jobDuplicate
        case .queued, .running, .cancelled: nil
        }
    }
}
