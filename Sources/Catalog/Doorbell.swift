import NIOConcurrencyHelpers

/// Wakes one waiter at once: a store rings it when it queues work, a worker pool when a
/// slot frees up. A ring while nobody waits is kept for the next wait.
public final class Doorbell: Sendable {
    private struct State {
        var rung = false
        var sleeper: Task<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Whether a wait has begun and not yet ended (for tests that ring into a wait).
    var hasWaiter: Bool { state.withLockedValue { $0.sleeper != nil } }

    public func ring() {
        let sleeper = state.withLockedValue { state in
            state.rung = true
            return state.sleeper
        }
        sleeper?.cancel()
    }

    /// Returns when rung (at once if rung since the last wait), after `timeout`, or when
    /// the calling task is cancelled.
    public func wait(timeout: Duration) async {
        let sleeper = Task<Void, Never> { try? await Task.sleep(for: timeout) }
        let rung = state.withLockedValue { state in
            if !state.rung { state.sleeper = sleeper }
            return state.rung
        }
        if !rung {
            await withTaskCancellationHandler { await sleeper.value } onCancel: { sleeper.cancel() }
        }
        sleeper.cancel()
        state.withLockedValue { state in
            state.rung = false
            state.sleeper = nil
        }
    }
}
