import Catalog
import Foundation
import Logging
import Synchronization

/// Counts playback starts (SPEC §15) off the playlist path: a master playlist served notes
/// its title and viewer in memory (a set lookup), and the starts not seen this hour are
/// written to the catalog in batches, every second, by `run()`. The catalog's key (title,
/// viewer, hour) keeps one start per hour whatever the daemon that saw it.
final class PlaybackStarts: Sendable {
    private struct State {
        var hour = 0
        var seen: Set<String> = []
        var pending: [PlaybackStart] = []
    }

    private let state = Mutex(State())
    private let catalog: any CatalogStore
    /// Starts remembered per hour, and waiting to be written, at most.
    static let bound = 100_000

    init(catalog: any CatalogStore) { self.catalog = catalog }

    /// A master playlist of `mediaId` was served to `viewer` (a token's viewer, else an address).
    func note(_ mediaId: String, viewer: String) {
        let now = Date()
        let hour = Int(now.timeIntervalSince1970 / 3600)
        let key = mediaId + "\u{0}" + viewer
        state.withLock { state in
            if state.hour != hour || state.seen.count >= Self.bound { (state.hour, state.seen) = (hour, []) }
            guard state.seen.insert(key).inserted, state.pending.count < Self.bound else { return }
            state.pending.append(PlaybackStart(mediaId: mediaId, viewer: viewer, at: now))
        }
    }

    /// Writes what was noted, every second, until cancelled.
    func run(logger: Logger) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(1))
            await flush(logger: logger)
        }
        await flush(logger: logger)
    }

    func flush(logger: Logger) async {
        let batch = state.withLock { state in
            defer { state.pending = [] }
            return state.pending
        }
        guard !batch.isEmpty else { return }
        do { try await catalog.recordPlaybackStarts(batch) } catch {
            logger.warning("\(batch.count) playback start(s) not counted: the catalog does not answer: \(error)")
        }
    }
}
