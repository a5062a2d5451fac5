import Foundation
import GRDB

extension SQLiteCatalog {
    /// Records a webhook event inside the transaction of the change it announces, with a
    /// pending delivery for every registered endpoint; nothing when none is registered.
    static func announce(_ type: WebhookEvent.Kind, job: Job?, mediaId: String, media: MediaDocument?, in db: Database) throws {
        let endpoints = try String.fetchAll(db, sql: "SELECT url FROM webhookEndpoint")
        guard !endpoints.isEmpty else { return }
        let event = WebhookEvent(type, job: job, media: media)
        try db.execute(sql: "INSERT INTO webhookEvent (id, type, mediaId, body, createdAt) VALUES (?, ?, ?, ?, ?)",
                       arguments: [event.id, type.rawValue, mediaId, event.body, event.createdAt])
        let seq = db.lastInsertedRowID
        for url in endpoints {
            try db.execute(sql: "INSERT INTO webhookDelivery (url, seq, state, attempts, nextAttemptAt) VALUES (?, ?, 'pending', 0, ?)",
                           arguments: [url, seq, event.createdAt])
        }
    }

    /// Announces what a saved snapshot did to its job (`JobSnapshot.announcement`).
    static func announce(_ snapshot: JobSnapshot, in db: Database) throws {
        guard let type = snapshot.announcement, let job = snapshot.job else { return }
        try announce(type, job: job, mediaId: job.mediaId, media: try entry(job.mediaId, in: db).map(MediaDocument.init), in: db)
    }

    func registerWebhook(url: String) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO webhookEndpoint (url, since, registeredAt)
                VALUES (?, COALESCE((SELECT MAX(seq) FROM webhookEvent), 0), ?) ON CONFLICT DO NOTHING
                """, arguments: [url, Date()])
        }
    }

    func claimWebhookDeliveries(url: String, owner: LeaseOwner, lease: Duration, limit: Int) async throws -> [WebhookDelivery] {
        try await pool.write { db in
            let now = Date()
            let due = try Row.fetchAll(db, sql: """
                SELECT d.seq, d.url, e.id AS eventId, e.type, e.mediaId, e.body, d.attempts, e.createdAt
                FROM webhookDelivery d JOIN webhookEvent e ON e.seq = d.seq
                WHERE d.url = ? AND d.state = 'pending' AND d.nextAttemptAt <= ?
                  AND (d.leaseExpiresAt IS NULL OR d.leaseExpiresAt < ?)
                  AND NOT EXISTS (SELECT 1 FROM webhookDelivery p JOIN webhookEvent pe ON pe.seq = p.seq
                                  WHERE p.url = d.url AND p.state = 'pending' AND pe.mediaId = e.mediaId AND p.seq < d.seq)
                ORDER BY d.seq LIMIT ?
                """, arguments: [url, now, now, limit])
            let deliveries = due.compactMap { row -> WebhookDelivery? in
                guard let type = WebhookEvent.Kind(rawValue: row["type"]) else { return nil }
                return WebhookDelivery(seq: row["seq"], url: row["url"], eventId: row["eventId"], type: type, mediaId: row["mediaId"],
                                       body: row["body"], attempts: row["attempts"], createdAt: row["createdAt"])
            }
            for delivery in deliveries {
                try db.execute(sql: "UPDATE webhookDelivery SET leaseOwner = ?, leaseExpiresAt = ? WHERE url = ? AND seq = ?",
                               arguments: [owner.rawValue, now.addingTimeInterval(lease.seconds), url, delivery.seq])
            }
            return deliveries
        }
    }

    func recordWebhookAttempt(_ delivery: WebhookDelivery, owner: LeaseOwner, _ attempt: WebhookAttempt) async throws {
        try await pool.write { db in
            let now = Date()
            switch attempt {
            case .delivered(let status):
                try db.execute(sql: """
                    UPDATE webhookDelivery SET state = 'delivered', attempts = attempts + 1, lastStatus = ?, lastError = NULL,
                      lastAttemptAt = ?, deliveredAt = ?, nextAttemptAt = NULL, leaseOwner = NULL, leaseExpiresAt = NULL
                    WHERE url = ? AND seq = ? AND state = 'pending' AND leaseOwner = ?
                    """, arguments: [status, now, now, delivery.url, delivery.seq, owner.rawValue])
            case let .failed(status, error, retryAt):
                try db.execute(sql: """
                    UPDATE webhookDelivery SET state = ?, attempts = attempts + 1, lastStatus = ?, lastError = ?,
                      lastAttemptAt = ?, nextAttemptAt = ?, leaseOwner = NULL, leaseExpiresAt = NULL
                    WHERE url = ? AND seq = ? AND state = 'pending' AND leaseOwner = ?
                    """, arguments: [retryAt == nil ? "abandoned" : "pending", status, error, now, retryAt, delivery.url, delivery.seq, owner.rawValue])
            }
        }
    }

    func webhookDeliveries(limit: Int) async throws -> [WebhookDeliveryRecord] {
        try await pool.write { db in
            let weekAgo = Date(timeIntervalSinceNow: -7 * 86400)
            try db.execute(sql: "DELETE FROM webhookDelivery WHERE state != 'pending' AND lastAttemptAt < ?", arguments: [weekAgo])
            try db.execute(sql: "DELETE FROM webhookEvent WHERE createdAt < ? AND NOT EXISTS (SELECT 1 FROM webhookDelivery d WHERE d.seq = webhookEvent.seq)",
                           arguments: [weekAgo])
            return try Row.fetchAll(db, sql: """
                SELECT e.id AS eventId, e.type, e.mediaId, d.url, d.state, d.attempts, d.lastStatus, d.lastError, e.createdAt,
                       d.lastAttemptAt, d.nextAttemptAt, d.deliveredAt
                FROM webhookDelivery d JOIN webhookEvent e ON e.seq = d.seq
                ORDER BY COALESCE(d.lastAttemptAt, e.createdAt) DESC, d.seq DESC LIMIT ?
                """, arguments: [limit]).compactMap { row in
                guard let type = WebhookEvent.Kind(rawValue: row["type"]),
                      let state = WebhookDeliveryRecord.State(rawValue: row["state"]) else { return nil }
                return WebhookDeliveryRecord(
                    eventId: row["eventId"], type: type, mediaId: row["mediaId"], url: row["url"], state: state,
                    attempts: row["attempts"], lastStatus: row["lastStatus"], lastError: row["lastError"], createdAt: row["createdAt"],
                    lastAttemptAt: row["lastAttemptAt"], nextAttemptAt: row["nextAttemptAt"], deliveredAt: row["deliveredAt"])
            }
        }
    }
}
