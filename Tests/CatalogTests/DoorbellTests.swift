@testable import Catalog
import Foundation
import Testing

/// The doorbell that wakes a worker pool's claim loop. Waits here are a minute long, so a
/// wait that was not cut short by a ring or a cancel would show as one.
@Suite struct DoorbellTests {
    static let long = Duration.seconds(60)

    @Test func aRingDuringAWaitEndsIt() async throws {
        let doorbell = Doorbell()
        let start = ContinuousClock.now
        async let waited: Void = doorbell.wait(timeout: Self.long)
        // Ring only once the wait has begun (a ring before it would be kept and prove nothing).
        let begun = ContinuousClock.now
        while !doorbell.hasWaiter {
            try #require(ContinuousClock.now - begun < .seconds(10), "the wait never began")
            try await Task.sleep(for: .milliseconds(5))
        }
        doorbell.ring()
        await waited
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(!doorbell.hasWaiter)
    }

    @Test func aRingWhileNobodyWaitsIsKeptForOneWait() async {
        let doorbell = Doorbell()
        doorbell.ring()
        doorbell.ring()
        let start = ContinuousClock.now
        await doorbell.wait(timeout: Self.long)
        #expect(ContinuousClock.now - start < .seconds(10))
        let next = ContinuousClock.now
        await doorbell.wait(timeout: .milliseconds(300))
        #expect(ContinuousClock.now - next >= .milliseconds(250), "the ring was taken by the first wait")
    }

    @Test func cancellingTheWaiterEndsTheWait() async {
        let doorbell = Doorbell()
        let start = ContinuousClock.now
        let waiter = Task { await doorbell.wait(timeout: Self.long) }
        try? await Task.sleep(for: .milliseconds(100))
        waiter.cancel()
        await waiter.value
        #expect(ContinuousClock.now - start < .seconds(10))
    }
}
