import Foundation
import VaultLayout
import GRDB

extension SQLiteCatalog {
    func publishProcessing(_ title: PublishedTitle) async throws {
        try await pool.write { db in
            guard try !Media.exists(db, key: title.media.id) else { return }
            var processing = title
            processing.media.status = .processing
            try Self.insert(processing, in: db)
            let job = try Job.filter(Column("mediaId") == title.media.id).order(Column("createdAt").desc).fetchOne(db)
            try Self.announce(.mediaProcessing, job: job, mediaId: title.media.id,
                              media: try Self.entry(title.media.id, in: db).map(MediaDocument.init), in: db)
        }
    }

    func publish(_ title: PublishedTitle, jobID: String) async throws -> PublishOutcome {
        try await pool.write { db in
            if let existing = try Self.earlier(digest: title.media.digest, than: title.media.id, in: db) {
                try Self.withdraw(title.media.id, in: db)
                try Self.end(jobID, as: .duplicate, mediaId: existing, in: db)
                return .duplicate(of: existing)
            }
            let createdAt = try Self.createdAt(of: title.media.id, in: db)
            var ready = title
            ready.media.status = .ready
            // The processing record goes, its series stays (its id and edits with it), and
            // what a platform set on it while it was processing is kept.
            if let processing = try Media.fetchOne(db, key: title.media.id), processing.status == .processing {
                ready.media.describe(as: processing)
                try processing.delete(db)
            }
            try Self.insert(ready, createdAt: createdAt, in: db)
            try Self.end(jobID, as: .succeeded, mediaId: ready.media.id, in: db)
            return .published(mediaId: ready.media.id)
        }
    }

    /// Ends the job that made a title, inside the publishing transaction.
    private static func end(_ jobID: String, as state: Job.State, mediaId: String, in db: Database) throws {
        var snapshot = try snapshot(of: jobID, in: db)
        snapshot.end(as: state, error: nil, mediaId: mediaId, at: Date())
        try save(snapshot, in: db)
    }

    func withdraw(mediaId: String) async throws {
        try await pool.write { db in
            try Self.withdraw(mediaId, in: db)
            try db.execute(sql: "DELETE FROM titleKey WHERE mediaId = ? AND NOT EXISTS (SELECT 1 FROM media WHERE id = ?)", arguments: [mediaId, mediaId])
        }
    }

    /// Removes a processing title's record (and its series if it was the last episode).
    private static func withdraw(_ id: String, in db: Database) throws {
        guard let media = try Media.fetchOne(db, key: id), media.status == .processing else { return }
        try remove(media, in: db)
    }

    /// Removes a title's record, and its series if it was the last episode.
    private static func remove(_ media: Media, in db: Database) throws {
        try media.delete(db)
        if let seriesID = media.seriesId, try Media.filter(Column("seriesId") == seriesID).fetchCount(db) == 0 {
            _ = try Series.deleteOne(db, key: seriesID)
        }
    }

    /// When a recorded title was first published (now if it is not recorded).
    private static func createdAt(of id: String, in db: Database) throws -> Date {
        try Date.fetchOne(db, sql: "SELECT createdAt FROM media WHERE id = ?", arguments: [id]) ?? Date()
    }

    /// Inserts a title with its series (found by title and type, or created), renditions and tracks.
    private static func insert(_ title: PublishedTitle, createdAt: Date? = nil, in db: Database) throws {
        var media = title.media
        let now = Date()
        if let name = title.series {
            var series = try Series
                .filter(sql: "title = ? COLLATE NOCASE", arguments: [name.title])
                .filter(Column("type") == name.type)
                .fetchOne(db) ?? Series(type: name.type, title: name.title, year: name.year, createdAt: now)
            series.updatedAt = now
            try series.save(db)
            media.seriesId = series.id
        }
        media.createdAt = createdAt ?? now
        media.updatedAt = now
        try media.insert(db)
        for var rendition in title.renditions {
            rendition.mediaId = media.id
            try rendition.insert(db)
        }
        for var track in title.audio {
            track.mediaId = media.id
            try track.insert(db)
        }
        for var track in title.subtitles {
            track.mediaId = media.id
            try track.insert(db)
        }
    }

    func mediaID(digest: String, before mediaId: String) async throws -> String? {
        try await pool.read { db in try Self.earlier(digest: digest, than: mediaId, in: db) }
    }

    /// The first title with `digest` that came before `mediaId` (see `mediaID(digest:before:)`).
    private static func earlier(digest: String, than mediaId: String, in db: Database) throws -> String? {
        try String.fetchOne(db, sql: """
            SELECT id FROM media WHERE digest = ? AND id != ?
              AND (status = 'ready' OR createdAt < COALESCE((SELECT createdAt FROM media WHERE id = ?), '9999-12-31'))
            ORDER BY createdAt LIMIT 1
            """, arguments: [digest, mediaId, mediaId])
    }

    func mediaStatus(id: String) async throws -> Media.Status? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT status FROM media WHERE id = ?", arguments: [id]).flatMap(Media.Status.init)
        }
    }

    func titleKey(of mediaId: String, making: Bool) async throws -> TitleKey? {
        let read = { @Sendable (db: Database) throws -> TitleKey? in
            try String.fetchOne(db, sql: "SELECT key FROM titleKey WHERE mediaId = ?", arguments: [mediaId]).flatMap(TitleKey.init(hex:))
        }
        guard making else { return try await pool.read(read) }
        return try await pool.write { db in
            try db.execute(sql: "INSERT INTO titleKey (mediaId, key, createdAt) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                           arguments: [mediaId, TitleKey.random().hex, Date()])
            return try read(db)
        }
    }

    func entry(id: String) async throws -> CatalogEntry? {
        try await pool.read { db in try Self.entry(id, in: db) }
    }

    func entries(type: MediaType?, genre: String?, page: Int, limit: Int) async throws -> (items: [CatalogEntry], total: Int) {
        try await pool.read { db in
            var filters = "", arguments: StatementArguments = []
            if let type {
                filters += " AND type = ?"
                arguments += [type.rawValue]
            }
            if let genre {
                filters += " AND EXISTS (SELECT 1 FROM json_each(genre) WHERE value = ? COLLATE NOCASE)"
                arguments += [genre]
            }
            let shown = """
                SELECT id, updatedAt FROM media WHERE seriesId IS NULL\(filters)
                UNION ALL SELECT id, updatedAt FROM series WHERE 1\(filters)
                """
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(shown))", arguments: arguments + arguments) ?? 0
            let ids = try String.fetchAll(db, sql: "\(shown) ORDER BY updatedAt DESC, id LIMIT ? OFFSET ?",
                                          arguments: arguments + arguments + [limit, max(0, page - 1) * limit])
            return (try ids.compactMap { try Self.entry($0, in: db) }, total)
        }
    }

    func search(_ query: String, limit: Int) async throws -> [CatalogEntry] {
        guard let pattern = FTS5Pattern(matchingAllPrefixesIn: query) else { return [] }
        return try await pool.read { db in
            // Series first, then movies and episodes (an episode brings its series), by rank.
            let ids = try String.fetchAll(db, sql: """
                SELECT series.id FROM series JOIN seriesSearch ON seriesSearch.rowid = series.rowid
                WHERE seriesSearch MATCH ? ORDER BY seriesSearch.rank
                """, arguments: [pattern])
                + String.fetchAll(db, sql: """
                SELECT COALESCE(media.seriesId, media.id) FROM media JOIN mediaSearch ON mediaSearch.rowid = media.rowid
                WHERE mediaSearch MATCH ? ORDER BY mediaSearch.rank
                """, arguments: [pattern])
            var seen = Set<String>()
            return try ids.filter { seen.insert($0).inserted }.prefix(limit).compactMap { try Self.entry($0, in: db) }
        }
    }

    func edit(id: String, _ edit: MetadataEdit) async throws -> Bool {
        try await pool.write { db in
            if var media = try Media.fetchOne(db, key: id) {
                edit.apply(to: &media)
                try media.update(db)
                return true
            }
            guard var series = try Series.fetchOne(db, key: id) else { return false }
            edit.apply(to: &series)
            try series.update(db)
            return true
        }
    }

    func delete(id: String) async throws -> [String] {
        try await pool.write { db in
            let removed = try Self.delete(id, in: db)
            for (title, document) in removed { try Self.announce(.mediaDeleted, job: nil, mediaId: title, media: document, in: db) }
            return removed.map(\.id)
        }
    }

    /// Removes a title or a series with its episodes; the removed titles' documents as they were.
    private static func delete(_ id: String, in db: Database) throws -> [(id: String, document: MediaDocument?)] {
        let documents = { (ids: [String]) throws -> [(id: String, document: MediaDocument?)] in
            try ids.map { ($0, try entry($0, in: db).map(MediaDocument.init)) }
        }
        if let media = try Media.fetchOne(db, key: id) {
            let removed = try documents([id])
            try remove(media, in: db)
            try db.execute(sql: "DELETE FROM titleKey WHERE mediaId = ?", arguments: [id])
            try db.execute(sql: "DELETE FROM playbackStart WHERE mediaId = ?", arguments: [id])
            return removed
        }
        guard try Series.exists(db, key: id) else { return [] }
        let removed = try documents(try String.fetchAll(db, Media.select(Column("id")).filter(Column("seriesId") == id)))
        try db.execute(sql: "DELETE FROM titleKey WHERE mediaId IN (SELECT id FROM media WHERE seriesId = ?)", arguments: [id])
        try db.execute(sql: "DELETE FROM playbackStart WHERE mediaId IN (SELECT id FROM media WHERE seriesId = ?)", arguments: [id])
        _ = try Series.deleteOne(db, key: id)
        return removed
    }

    // MARK: Entries

    static func entry(_ id: String, in db: Database) throws -> CatalogEntry? {
        if let media = try Media.fetchOne(db, key: id) { return .title(try title(media, in: db)) }
        guard let series = try Series.fetchOne(db, key: id) else { return nil }
        let episodes = try Media.filter(Column("seriesId") == series.id)
            .order(Column("seasonNumber"), Column("episodeNumber")).fetchAll(db)
        return .series(series, episodes: try episodes.map { try title($0, in: db) })
    }

    private static func title(_ media: Media, in db: Database) throws -> TitleRecord {
        let mine = Column("mediaId") == media.id
        return TitleRecord(
            media: media,
            renditions: try Rendition.filter(mine).fetchAll(db),
            audio: try AudioTrack.filter(mine).order(Column("id")).fetchAll(db),
            subtitles: try SubtitleTrack.filter(mine).order(Column("id")).fetchAll(db),
            progress: media.status == .processing
                ? try Double.fetchOne(db, sql: "SELECT progress FROM job WHERE mediaId = ? AND state = 'running'", arguments: [media.id])
                : nil,
            views: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM playbackStart WHERE mediaId = ?", arguments: [media.id]) ?? 0)
    }
}
