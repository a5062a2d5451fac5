import Catalog
import Foundation
import VaultLayout

extension CatalogStore {
    /// Deletes a title for `DELETE /api/media/<id>` and `media delete` (SPEC §15): the jobs
    /// still packaging it are cancelled first, then its record goes (so every daemon answers 404 from
    /// then on), then its folder under `media/`; its originals stay. A series goes with its
    /// episodes; an episode's series is updated (or goes with its last episode). Returns the
    /// ids of the titles removed, empty when there is no such id.
    public func remove(title id: String, from vault: Vault) async throws -> [String] {
        // Its jobs are stopped first, so that none records the title again once it is gone.
        let titles: Set<String> = switch try await entry(id: id) {
        case .title(let record)?: [record.media.id]
        case .series(_, let episodes)?: Set(episodes.map(\.media.id))
        case nil: []
        }
        for job in try await jobs(state: .queued) + jobs(state: .running) where titles.contains(job.mediaId) {
            _ = try await cancelJob(id: job.id)
        }
        let removed = try await delete(id: id)
        guard !removed.isEmpty else { return [] }
        for title in removed {
            try? FileManager.default.removeItem(at: vault.media(title))
        }
        return removed
    }
}
