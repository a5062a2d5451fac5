import NIOConcurrencyHelpers

/// The first of several racing outcomes (an answer, a deadline, a cancel), handed to the
/// one waiter; later ones are dropped.
final class FirstOutcome<T: Sendable>: Sendable {
    private struct State {
        var result: Result<T, any Error>?
        var waiter: CheckedContinuation<T, any Error>?
    }

    private let state = NIOLockedValueBox(State())

    /// Records `result` unless an outcome came first, and wakes the waiter.
    func settle(_ result: Result<T, any Error>) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<T, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    /// The first outcome, once there is one.
    var value: T {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let settled = state.withLockedValue { state -> Result<T, any Error>? in
                    if state.result == nil { state.waiter = continuation }
                    return state.result
                }
                if let settled { continuation.resume(with: settled) }
            }
        }
    }
}
