import Catalog
import Foundation
import Logging
import VaultLayout

/// Every `heartbeat`: renews the leases of the tasks this daemon supervises, records the
/// daemon as alive, stops the workers of tasks whose job ended or whose cancel was asked,
/// and (every fifth beat) puts back in the queue the tasks of daemons that died and ends
/// cancels asked while no task of the job ran here. When the leases cannot be renewed for
/// most of their length (the catalog is lost, other daemons will take the tasks over) it
/// stops every worker, and a worker whose task is no longer ours at once.
struct LeaseKeeper: Sendable {
    static let heartbeat = Duration.seconds(2)

    let vault: Vault
    let catalog: any CatalogStore
    let claimed: ClaimedTasks
    let recorder: AttemptRecorder
    let owner: LeaseOwner
    let lease: Duration
    /// This daemon as `GET /api/nodes` shows it (its running count filled in at each beat).
    let status: DaemonStatus
    let logger: Logger

    /// Runs until the daemon stops and its last worker has ended.
    func run() async {
        var beats = 0
        var renewed = ContinuousClock.now
        while await claimed.isInUse {
            if Task.isCancelled, await claimed.isEmpty { return }
            do {
                try await beat(sweep: beats % 5 == 0)
                renewed = .now
            } catch {
                logger.error("catalog unavailable for the heartbeat: \(error)")
                let late = ContinuousClock.now - renewed, running = await claimed.runningCount
                if late > lease * 0.8, running > 0 {
                    logger.error("leases not renewed for \(Int(late.seconds)) s: stopping \(running) task(s), other daemons will take them over")
                    await claimed.terminateAll()
                }
            }
            beats += 1
            try? await Task.sleep(for: Self.heartbeat)
        }
    }

    private func beat(sweep: Bool) async throws {
        // Only tasks claimed before the renewal can be missing from it for want of a
        // lease: one claimed while it ran is ours.
        let before = await claimed.ids
        let held = try await catalog.renewLeases(before, owner: owner, lease: lease)
        for id in before.subtracting(held) {
            logger.warning("task \(id): no longer ours (its lease was taken over); stopping it")
            await claimed.terminate(id)
        }
        var status = status
        status.running = await claimed.runningCount
        status.lastSeen = Date()
        try await catalog.heartbeat(status)
        for id in try await catalog.tasksToStop(owner: owner) { await claimed.terminate(id) }
        guard sweep else { return }
        try await VaultRecovery(vault: vault, catalog: catalog, logger: logger).takeOverAbandonedTasks()
        // A cancel asked while no task of the job ran on this daemon.
        for job in try await catalog.jobs(state: .running) where job.cancelRequested { await recorder.endIfCancelled(job) }
    }
}
