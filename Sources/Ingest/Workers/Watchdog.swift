import Catalog
import Foundation
import Logging

/// One timer for every worker of a daemon: once a second it kills (SIGKILL) a worker that
/// has been silent for `stallTimeout` or holds more than `memory` bytes, and notes why in
/// `ClaimedTasks` so the attempt fails with that reason.
struct Watchdog: Sendable {
    let claimed: ClaimedTasks
    let limits: WorkerLimits
    let logger: Logger

    /// Runs until cancelled.
    func run() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            for worker in await claimed.watched() { await check(worker.id, worker.process) }
        }
    }

    private func check(_ id: TaskID, _ process: WorkerProcess) async {
        if ContinuousClock.now - process.lastHeard > limits.stallTimeout {
            logger.error("task \(id): no progress for \(Int(limits.stallTimeout.seconds)) s; worker killed")
            await claimed.kill(id, because: "stalled: no progress for \(Int(limits.stallTimeout.seconds)) s (--stall-timeout)")
            return
        }
        guard let used = try? await Blocking.run({ process.residentBytes }), used > limits.memory else { return }
        logger.error("task \(id): its worker used \(WorkerLimits.size(used)) of memory; killed")
        await claimed.kill(id, because: "the worker used \(WorkerLimits.size(used)) of memory, more than its limit of \(WorkerLimits.size(limits.memory)) (--worker-memory)")
    }
}
