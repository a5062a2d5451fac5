import Foundation
import PostgresNIO

extension PostgresCatalog {
    func recordPlaybackStarts(_ starts: [PlaybackStart]) async throws {
        guard !starts.isEmpty else { return }
        try await transaction { db in
            for start in starts {
                try await db.run(#"""
                    INSERT INTO "playbackStart" ("mediaId", viewer, hour, at) VALUES (\#(start.mediaId), \#(start.viewer), \#(start.hour), \#(start.at))
                    ON CONFLICT DO NOTHING
                    """#)
            }
        }
    }

    func trending(since: Date, limit: Int) async throws -> [CatalogEntry] {
        try await reading { db in
            let rows = try await db.query(#"""
                SELECT COALESCE(m."seriesId", m.id) AS id, count(*)::bigint AS starts FROM "playbackStart" p JOIN media m ON m.id = p."mediaId"
                WHERE p.at >= \#(since) GROUP BY 1 ORDER BY starts DESC, id LIMIT \#(limit)
                """#, logger: PostgresCatalog.quiet)
            var ids: [String] = []
            for try await (id, _) in rows.decode((String, Int).self) { ids.append(id) }
            var found: [CatalogEntry] = []
            for id in ids {
                if let entry = try await Self.entry(id, db) { found.append(entry) }
            }
            return found
        }
    }
}
