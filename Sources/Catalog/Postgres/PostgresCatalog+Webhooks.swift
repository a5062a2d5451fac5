import Foundation
import PostgresNIO

extension PostgresCatalog {
    /// Records a webhook event inside the transaction of the change it announces, with a
    /// pending delivery for every registered endpoint; nothing when none is registered.
    static func announce(_ type: WebhookEvent.Kind, job: Job?, mediaId: String, media: MediaDocument?, _ db: PostgresConnection) async throws {
        guard try await !db.column(Int.self, #"SELECT 1 FROM "webhookEndpoint" LIMIT 1"#).isEmpty else { return }
        let event = WebhookEvent(type, job: job, media: media)
        try await db.run(#"""
            WITH e AS (INSERT INTO "webhookEvent" (id, type, "mediaId", body, "createdAt")
                       VALUES (\#(event.id), \#(type.rawValue), \#(mediaId), \#(event.body), \#(event.createdAt)) RETURNING seq, "createdAt")
            INSERT INTO "webhookDelivery" (url, seq, state, attempts, "nextAttemptAt")
            SELECT w.url, e.seq, 'pending', 0, e."createdAt" FROM "webhookEndpoint" w, e
            """#)
    }

    /// Announces what a saved snapshot did to its job (`JobSnapshot.announcement`).
    static func announce(_ snapshot: JobSnapshot, _ db: PostgresConnection) async throws {
        guard let type = snapshot.announcement, let job = snapshot.job else { return }
        try await announce(type, job: job, mediaId: job.mediaId, media: try await entry(job.mediaId, db).map(MediaDocument.init), db)
    }

    func registerWebhook(url: String) async throws {
        try await transaction { db in
            try await db.run(#"""
                INSERT INTO "webhookEndpoint" (url, since) VALUES (\#(url), (SELECT COALESCE(max(seq), 0) FROM "webhookEvent"))
                ON CONFLICT DO NOTHING
                """#)
        }
    }

    func claimWebhookDeliveries(url: String, owner: LeaseOwner, lease: Duration, limit: Int) async throws -> [WebhookDelivery] {
        let now = Date(), until = now.addingTimeInterval(lease.seconds)
        return try await transaction { db in
            try await db.fetchAll(WebhookDelivery.self, #"""
                WITH due AS (
                  SELECT d.seq FROM "webhookDelivery" d JOIN "webhookEvent" e ON e.seq = d.seq
                  WHERE d.url = \#(url) AND d.state = 'pending' AND d."nextAttemptAt" <= \#(now)
                    AND (d."leaseExpiresAt" IS NULL OR d."leaseExpiresAt" < \#(now))
                    AND NOT EXISTS (SELECT 1 FROM "webhookDelivery" p JOIN "webhookEvent" pe ON pe.seq = p.seq
                                    WHERE p.url = d.url AND p.state = 'pending' AND pe."mediaId" = e."mediaId" AND p.seq < d.seq)
                  ORDER BY d.seq LIMIT \#(limit) FOR UPDATE OF d SKIP LOCKED),
                claimed AS (
                  UPDATE "webhookDelivery" d SET "leaseOwner" = \#(owner.rawValue), "leaseExpiresAt" = \#(until)
                  FROM due WHERE d.url = \#(url) AND d.seq = due.seq RETURNING d.seq, d.url, d.attempts)
                SELECT jsonb_build_object('seq', c.seq, 'url', c.url, 'eventId', e.id, 'type', e.type, 'mediaId', e."mediaId",
                                          'body', e.body, 'attempts', c.attempts, 'createdAt', e."createdAt")::text
                FROM claimed c JOIN "webhookEvent" e ON e.seq = c.seq ORDER BY c.seq
                """#)
        }
    }

    func recordWebhookAttempt(_ delivery: WebhookDelivery, owner: LeaseOwner, _ attempt: WebhookAttempt) async throws {
        try await transaction { db in
            switch attempt {
            case .delivered(let status):
                try await db.run(#"""
                    UPDATE "webhookDelivery" SET state = 'delivered', attempts = attempts + 1, "lastStatus" = \#(status),
                      "lastError" = NULL, "lastAttemptAt" = now(), "deliveredAt" = now(), "nextAttemptAt" = NULL,
                      "leaseOwner" = NULL, "leaseExpiresAt" = NULL
                    WHERE url = \#(delivery.url) AND seq = \#(delivery.seq) AND state = 'pending' AND "leaseOwner" = \#(owner.rawValue)
                    """#)
            case let .failed(status, error, retryAt):
                try await db.run(#"""
                    UPDATE "webhookDelivery" SET state = \#(retryAt == nil ? "abandoned" : "pending"), attempts = attempts + 1,
                      "lastStatus" = \#(status), "lastError" = \#(error), "lastAttemptAt" = now(), "nextAttemptAt" = \#(retryAt),
                      "leaseOwner" = NULL, "leaseExpiresAt" = NULL
                    WHERE url = \#(delivery.url) AND seq = \#(delivery.seq) AND state = 'pending' AND "leaseOwner" = \#(owner.rawValue)
                    """#)
            }
        }
    }

    func webhookDeliveries(limit: Int) async throws -> [WebhookDeliveryRecord] {
        try await transaction { db in
            try await db.run(#"DELETE FROM "webhookDelivery" WHERE state != 'pending' AND "lastAttemptAt" < now() - interval '7 days'"#)
            try await db.run(#"""
                DELETE FROM "webhookEvent" e WHERE "createdAt" < now() - interval '7 days'
                  AND NOT EXISTS (SELECT 1 FROM "webhookDelivery" d WHERE d.seq = e.seq)
                """#)
            return try await db.fetchAll(WebhookDeliveryRecord.self, #"""
                SELECT jsonb_build_object('eventId', e.id, 'type', e.type, 'mediaId', e."mediaId", 'url', d.url, 'state', d.state,
                  'attempts', d.attempts, 'lastStatus', d."lastStatus", 'lastError', d."lastError", 'createdAt', e."createdAt",
                  'lastAttemptAt', d."lastAttemptAt", 'nextAttemptAt', d."nextAttemptAt", 'deliveredAt', d."deliveredAt")::text
                FROM "webhookDelivery" d JOIN "webhookEvent" e ON e.seq = d.seq
                ORDER BY COALESCE(d."lastAttemptAt", e."createdAt") DESC, d.seq DESC LIMIT \#(limit)
                """#)
        }
    }
}
