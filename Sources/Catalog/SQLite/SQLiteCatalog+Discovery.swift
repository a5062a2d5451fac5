import Foundation
import GRDB

extension SQLiteCatalog {
    func recordPlaybackStarts(_ starts: [PlaybackStart]) async throws {
        guard !starts.isEmpty else { return }
        try await pool.write { db in
            for start in starts {
                try db.execute(sql: "INSERT INTO playbackStart (mediaId, viewer, hour, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
                               arguments: [start.mediaId, start.viewer, start.hour, start.at])
            }
        }
    }

    func trending(since: Date, limit: Int) async throws -> [CatalogEntry] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT COALESCE(m.seriesId, m.id) AS id, COUNT(*) AS starts FROM playbackStart p JOIN media m ON m.id = p.mediaId
                WHERE p.at >= ? GROUP BY 1 ORDER BY starts DESC, id LIMIT ?
                """, arguments: [since, limit]).compactMap { row in
                try Self.entry(row["id"], in: db)
            }
        }
    }
}
