import Catalog
import Synchronization

/// Counts events per client address in fixed windows (all addresses share the window's
/// start), in bounded memory: past `maximumAddresses` in one window, new addresses go
/// uncounted until it ends, so a flood of addresses cannot grow the table.
final class AddressCounter: Sendable {
    struct Reading: Equatable {
        let count: Int
        /// Whole seconds until the window ends (at least 1).
        let secondsLeft: Int
    }

    let window: Duration
    let maximumAddresses: Int
    private let state: Mutex<(start: ContinuousClock.Instant, counts: [String: Int])>

    init(window: Duration, maximumAddresses: Int = 100_000) {
        self.window = window
        self.maximumAddresses = maximumAddresses
        state = Mutex((ContinuousClock.now, [:]))
    }

    /// Adds one event for `address` and reads its count.
    @discardableResult
    func record(_ address: String, now: ContinuousClock.Instant = .now) -> Reading { read(address, adding: 1, now: now) }

    /// The count of `address`, adding nothing.
    func reading(_ address: String, now: ContinuousClock.Instant = .now) -> Reading { read(address, adding: 0, now: now) }

    private func read(_ address: String, adding: Int, now: ContinuousClock.Instant) -> Reading {
        state.withLock { state in
            if now - state.start >= window {
                state = (now, [:])
            }
            var count = state.counts[address] ?? 0
            if adding > 0, count > 0 || state.counts.count < maximumAddresses {
                count += adding
                state.counts[address] = count
            }
            let left = window - (now - state.start)
            return Reading(count: count, secondsLeft: max(1, Int(left.seconds.rounded(.up))))
        }
    }
}
