import Catalog
import Foundation
import Testing
import TestSupport

/// The webhook outbox (SPEC §15), the same tests on every store: events are written in the
/// transaction of the change they announce, delivered in order per title, retried, given up.
@Suite struct WebhookOutboxTests {
    let url = "http://127.0.0.1:9/hook"

    func body(_ delivery: WebhookDelivery) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(delivery.body.utf8)) as? [String: Any] ?? [:]
    }

    /// A job that makes a processing title, as the packaging of its first chunk does.
    func processing(_ catalog: any CatalogStore, _ name: String) async throws -> (Job, PublishedTitle) {
        let job = Job(source: "\(name).mp4", origin: .ingest, preset: "default", maxAttempts: 3)
        try await catalog.enqueue(job)
        _ = try await catalog.claimNextTask(owner: "me", node: "n", lease: .seconds(30))
        let media = Media(id: job.mediaId, type: .movie, title: name, durationSeconds: 60, digest: name,
                          source: job.source, hasPoster: false, hasStoryboard: false)
        let title = PublishedTitle(media: media, series: nil, renditions: [], audio: [], subtitles: [])
        try await catalog.publishProcessing(title)
        return (job, title)
    }

    @Test(arguments: Engine.allCases) func eventsComeInOrderPerTitleAndOnlyAfterTheEndpointIsRegistered(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        _ = try await processing(catalog, "Before")
        try await catalog.registerWebhook(url: url)
        try await catalog.registerWebhook(url: url)
        let (first, firstTitle) = try await processing(catalog, "First")
        let (second, _) = try await processing(catalog, "Second")
        #expect(try await catalog.publish(firstTitle, jobID: first.id) == .published(mediaId: first.mediaId))
        try await catalog.finishJob(id: second.id, state: .failed, error: "no video stream", mediaId: nil)

        // One title's events wait for the one before: first each title's media.processing.
        var claimed = try await catalog.claimWebhookDeliveries(url: url, owner: "me", lease: .seconds(30), limit: 10)
        #expect(claimed.map(\.type) == [.mediaProcessing, .mediaProcessing] && claimed.map(\.mediaId) == [first.mediaId, second.mediaId])
        let event = try body(claimed[0])
        #expect(event["type"] as? String == "media.processing" && (event["id"] as? String)?.hasPrefix("evt_") == true)
        let data = try #require(event["data"] as? [String: Any])
        #expect((data["media"] as? [String: Any])?["status"] as? String == "processing")
        #expect((data["job"] as? [String: Any])?["id"] as? String == first.id)
        // Leased: not taken twice.
        #expect(try await catalog.claimWebhookDeliveries(url: url, owner: "other", lease: .seconds(30), limit: 10).isEmpty)
        for delivery in claimed { try await catalog.recordWebhookAttempt(delivery, owner: "me", .delivered(status: 204)) }

        claimed = try await catalog.claimWebhookDeliveries(url: url, owner: "me", lease: .seconds(30), limit: 10)
        #expect(claimed.map(\.type) == [.mediaReady, .jobFailed])
        let ready = try body(claimed[0])["data"] as? [String: Any]
        #expect((ready?["media"] as? [String: Any])?["status"] as? String == "ready")
        #expect((ready?["job"] as? [String: Any])?["state"] as? String == "succeeded")
        let failed = try body(claimed[1])["data"] as? [String: Any]
        #expect((failed?["job"] as? [String: Any])?["error"] as? String == "no video stream")
        #expect(claimed.allSatisfy { $0.body.contains(#""data":{"job":"#) })

        // Only the lease holder records an attempt.
        try await catalog.recordWebhookAttempt(claimed[1], owner: "other", .delivered(status: 200))
        #expect(try await catalog.webhookDeliveries(limit: 10).first { $0.type == .jobFailed }?.state == .pending)
        // A failure waits for its retry time, and the title's next event waits behind it.
        try await catalog.recordWebhookAttempt(claimed[0], owner: "me", .failed(status: 500, error: "answered 500", retryAt: Date(timeIntervalSinceNow: 0.5)))
        try await catalog.recordWebhookAttempt(claimed[1], owner: "me", .delivered(status: 200))
        _ = try await catalog.delete(id: first.mediaId)
        #expect(try await catalog.claimWebhookDeliveries(url: url, owner: "me", lease: .seconds(30), limit: 10).isEmpty)
        try await Task.sleep(for: .milliseconds(700))
        let retried = try await catalog.claimWebhookDeliveries(url: url, owner: "me", lease: .seconds(30), limit: 10)
        #expect(retried.map(\.type) == [.mediaReady] && retried.first?.attempts == 1)
        try await catalog.recordWebhookAttempt(retried[0], owner: "me", .failed(status: nil, error: "connection refused", retryAt: nil))
        claimed = try await catalog.claimWebhookDeliveries(url: url, owner: "me", lease: .seconds(30), limit: 10)
        #expect(claimed.map(\.type) == [.mediaDeleted])
        #expect((try body(claimed[0])["data"] as? [String: Any])?["job"] is NSNull)

        let records = try await catalog.webhookDeliveries(limit: 10)
        #expect(records.count == 5 && !records.contains { $0.mediaId != first.mediaId && $0.mediaId != second.mediaId })
        let abandoned = try #require(records.first { $0.type == .mediaReady })
        #expect(abandoned.state == .abandoned && abandoned.attempts == 2 && abandoned.lastError == "connection refused" && abandoned.lastStatus == nil)
        #expect(records.filter { $0.state == .delivered }.count == 3 && records.first { $0.type == .mediaDeleted }?.state == .pending)
    }

    @Test(arguments: Engine.allCases) func aDuplicateIsAnnouncedWithTheTitleItDuplicates(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let (original, title) = try await processing(catalog, "Original")
        _ = try await catalog.publish(title, jobID: original.id)
        try await catalog.registerWebhook(url: url)
        let (copy, copyTitle) = try await processing(catalog, "Copy")
        var same = copyTitle
        same.media.digest = title.media.digest
        #expect(try await catalog.publish(same, jobID: copy.id) == .duplicate(of: original.mediaId))
        let claimed = try await catalog.claimWebhookDeliveries(url: url, owner: "me", lease: .seconds(30), limit: 10)
        #expect(claimed.map(\.type) == [.mediaProcessing, .jobDuplicate])
        let data = try body(claimed[1])["data"] as? [String: Any]
        #expect((data?["media"] as? [String: Any])?["id"] as? String == original.mediaId)
        #expect((data?["job"] as? [String: Any])?["state"] as? String == "duplicate")
    }

    @Test(arguments: Engine.allCases) func withoutAnEndpointNothingIsRecorded(_ engine: Engine) async throws {
        let catalog = try await TestCatalog(engine).open()
        let (job, title) = try await processing(catalog, "Quiet")
        _ = try await catalog.publish(title, jobID: job.id)
        #expect(try await catalog.webhookDeliveries(limit: 10).isEmpty)
    }
}
