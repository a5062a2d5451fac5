@testable import Catalog
import Foundation
import Testing

/// A PostgreSQL request that the server never answers gives up at its deadline, even when
/// the request itself does not end on cancellation (as on a connection that died).
@Suite struct AnswerDeadlineTests {
    /// Ends after `seconds` whatever happens: cancellation does not reach it.
    static func deaf(_ seconds: Double) async -> Int {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { continuation.resume(returning: 1) }
        }
    }

    /// The bound is far from both the deadline and the request's 30 s: the other catalog
    /// tests of the process (PostgreSQL databases made for each) may hold the cooperative
    /// threads for seconds.
    @Test func aRequestThatIgnoresCancellationStillEndsAtTheDeadline() async throws {
        let start = ContinuousClock.now
        await #expect(throws: CatalogError.self) { try await PostgresCatalog.answer(within: .milliseconds(200)) { await Self.deaf(30) } }
        #expect(ContinuousClock.now - start < .seconds(15))
    }

    @Test func anAnswerInTimeIsReturned() async throws {
        #expect(try await PostgresCatalog.answer(within: .seconds(10)) { await Self.deaf(0.05) } == 1)
    }
}
