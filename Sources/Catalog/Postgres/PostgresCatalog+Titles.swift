import Foundation
import VaultLayout
import PostgresNIO

extension PostgresCatalog {
    func publishProcessing(_ title: PublishedTitle) async throws {
        try await transaction { db in
            guard try await db.column(Int.self, "SELECT 1 FROM media WHERE id = \(title.media.id)").isEmpty else { return }
            var processing = title
            processing.media.status = .processing
            try await Self.insert(processing, createdAt: nil, db)
            let job = try await db.fetchOne(Job.self, #"SELECT to_jsonb(j)::text FROM job j WHERE "mediaId" = \#(title.media.id) ORDER BY "createdAt" DESC LIMIT 1"#)
            try await Self.announce(.mediaProcessing, job: job, mediaId: title.media.id,
                                    media: try await Self.entry(title.media.id, db).map(MediaDocument.init), db)
        }
    }

    func publish(_ title: PublishedTitle, jobID: String) async throws -> PublishOutcome {
        try await transaction { db in
            // One publisher at a time decides which of two copies of a content came first.
            try await db.run("SELECT pg_advisory_xact_lock(\(PostgresMigrations.publishLock))")
            if let existing = try await Self.earlier(digest: title.media.digest, than: title.media.id, db) {
                try await Self.withdraw(title.media.id, db)
                try await Self.end(jobID, as: .duplicate, mediaId: existing, db)
                return .duplicate(of: existing)
            }
            let existing = try await Self.media(title.media.id, db)
            var ready = title
            ready.media.status = .ready
            // The processing record goes, its series stays (its id and edits with it), and
            // what a platform set on it while it was processing is kept.
            if let processing = existing, processing.status == .processing {
                ready.media.describe(as: processing)
                try await db.run("DELETE FROM media WHERE id = \(processing.id)")
            }
            let createdAt = existing?.createdAt
            try await Self.insert(ready, createdAt: createdAt, db)
            try await Self.end(jobID, as: .succeeded, mediaId: ready.media.id, db)
            return .published(mediaId: ready.media.id)
        }
    }

    func withdraw(mediaId: String) async throws {
        try await transaction { db in
            try await Self.withdraw(mediaId, db)
            try await db.run(#"DELETE FROM "titleKey" WHERE "mediaId" = \#(mediaId) AND NOT EXISTS (SELECT 1 FROM media WHERE id = \#(mediaId))"#)
        }
    }

    /// Removes a processing title's record (and its series if it was the last episode).
    private static func withdraw(_ id: String, _ db: PostgresConnection) async throws {
        guard let media = try await media(id, db), media.status == .processing else { return }
        try await remove(media, db)
    }

    /// Removes a title's record, and its series if it was the last episode.
    private static func remove(_ media: Media, _ db: PostgresConnection) async throws {
        try await db.run("DELETE FROM media WHERE id = \(media.id)")
        if let seriesID = media.seriesId {
            try await db.run("DELETE FROM series s WHERE id = \(seriesID) AND NOT EXISTS (SELECT 1 FROM media WHERE \"seriesId\" = s.id)")
        }
    }

    /// A movie's or episode's record.
    private static func media(_ id: String, _ db: PostgresConnection) async throws -> Media? {
        try await db.fetchOne(Media.self, "SELECT to_jsonb(m)::text FROM media m WHERE id = \(id)")
    }

    /// Inserts a title with its series (found by title and type, or created), renditions and tracks.
    private static func insert(_ title: PublishedTitle, createdAt: Date?, _ db: PostgresConnection) async throws {
        var media = title.media
        let now = Date()
        if let name = title.series {
            if var series = try await db.fetchOne(Series.self, """
                SELECT to_jsonb(s)::text FROM series s WHERE lower(title) = lower(\(name.title)) AND type = \(name.type.rawValue)
                ORDER BY "createdAt" LIMIT 1 FOR UPDATE
                """) {
                series.updatedAt = now
                try await db.update(series, in: "series")
                media.seriesId = series.id
            } else {
                let series = Series(type: name.type, title: name.title, year: name.year, createdAt: now)
                try await db.insert(series, into: "series")
                try await indexForSearch("series", series.id, db)
                media.seriesId = series.id
            }
        }
        media.createdAt = createdAt ?? now
        media.updatedAt = now
        try await db.insert(media, into: "media")
        try await indexForSearch("media", media.id, db)
        for var rendition in title.renditions {
            rendition.mediaId = media.id
            try await db.insert(rendition, into: "rendition")
        }
        for var track in title.audio {
            track.mediaId = media.id
            try await db.insert(track, into: "audioTrack")
        }
        for var track in title.subtitles {
            track.mediaId = media.id
            try await db.insert(track, into: "subtitleTrack")
        }
    }

    /// Words of the title, original title and description, accents removed.
    private static func indexForSearch(_ table: String, _ id: String, _ db: PostgresConnection) async throws {
        try await db.run("""
            UPDATE \(unescaped: table) SET search =
              to_tsvector('simple', unaccent(title || ' ' || "originalTitle" || ' ' || description)) WHERE id = \(id)
            """)
    }

    func mediaID(digest: String, before mediaId: String) async throws -> String? {
        try await reading { db in try await Self.earlier(digest: digest, than: mediaId, db) }
    }

    /// The first title with `digest` that came before `mediaId` (see `mediaID(digest:before:)`).
    private static func earlier(digest: String, than mediaId: String, _ db: PostgresConnection) async throws -> String? {
        try await db.column(String.self, """
            SELECT id FROM media WHERE digest = \(digest) AND id != \(mediaId)
              AND (status = 'ready' OR "createdAt" < COALESCE((SELECT "createdAt" FROM media WHERE id = \(mediaId)), 'infinity'))
            ORDER BY "createdAt" LIMIT 1
            """).first
    }

    func mediaStatus(id: String) async throws -> Media.Status? {
        try await reading { db in
            try await db.column(String.self, "SELECT status FROM media WHERE id = \(id)").first.flatMap(Media.Status.init)
        }
    }

    func titleKey(of mediaId: String, making: Bool) async throws -> TitleKey? {
        let select: PostgresQuery = #"SELECT key FROM "titleKey" WHERE "mediaId" = \#(mediaId)"#
        guard making else { return try await reading { db in try await db.column(String.self, select).first.flatMap(TitleKey.init(hex:)) } }
        let made = TitleKey.random().hex
        return try await transaction { db in
            try await db.run(#"INSERT INTO "titleKey" ("mediaId", key) VALUES (\#(mediaId), \#(made)) ON CONFLICT DO NOTHING"#)
            return try await db.column(String.self, select).first.flatMap(TitleKey.init(hex:))
        }
    }

    func entry(id: String) async throws -> CatalogEntry? {
        try await reading { db in try await Self.entry(id, db) }
    }

    func entries(type: MediaType?, genre: String?, page: Int, limit: Int) async throws -> (items: [CatalogEntry], total: Int) {
        let type = type?.rawValue
        /// Movies and series, filtered; a filter left out is NULL.
        @Sendable func shown(_ select: String, _ rest: String = "") -> PostgresQuery {
            """
            SELECT \(unescaped: select) FROM (
              SELECT id, "updatedAt", type, genre FROM media WHERE "seriesId" IS NULL
              UNION ALL SELECT id, "updatedAt", type, genre FROM series) shown
            WHERE (\(type)::text IS NULL OR type = \(type))
              AND (\(genre)::text IS NULL OR EXISTS (
                SELECT 1 FROM jsonb_array_elements_text(genre) g WHERE lower(g) = lower(\(genre))))
            \(unescaped: rest)
            """
        }
        return try await reading { db in
            let total = try await db.column(Int.self, shown("count(*)")).first ?? 0
            let ids = try await db.column(String.self, shown("id", "ORDER BY \"updatedAt\" DESC, id LIMIT \(limit) OFFSET \(max(0, page - 1) * limit)"))
            var items: [CatalogEntry] = []
            for id in ids { if let entry = try await Self.entry(id, db) { items.append(entry) } }
            return (items, total)
        }
    }

    func search(_ query: String, limit: Int) async throws -> [CatalogEntry] {
        guard let terms = SearchTerms(query) else { return [] }
        return try await reading { db in
            // Series first, then movies and episodes (an episode brings its series), by rank.
            let ids = try await db.column(String.self, """
                WITH q AS (SELECT to_tsquery('simple', unaccent(\(terms.tsquery))) AS q)
                SELECT id FROM (
                  SELECT id, 0 AS part, ts_rank(search, q) AS rank FROM series, q WHERE search @@ q
                  UNION ALL
                  SELECT COALESCE("seriesId", id), 1, ts_rank(search, q) FROM media, q WHERE search @@ q) found
                ORDER BY part, rank DESC
                """)
            var seen = Set<String>(), items: [CatalogEntry] = []
            for id in ids where seen.insert(id).inserted && items.count < limit {
                if let entry = try await Self.entry(id, db) { items.append(entry) }
            }
            return items
        }
    }

    func edit(id: String, _ edit: MetadataEdit) async throws -> Bool {
        try await transaction { db in
            if var media = try await db.fetchOne(Media.self, "SELECT to_jsonb(m)::text FROM media m WHERE id = \(id) FOR UPDATE") {
                edit.apply(to: &media)
                try await db.update(media, in: "media")
                try await Self.indexForSearch("media", id, db)
                return true
            }
            guard var series = try await db.fetchOne(Series.self, "SELECT to_jsonb(s)::text FROM series s WHERE id = \(id) FOR UPDATE") else {
                return false
            }
            edit.apply(to: &series)
            try await db.update(series, in: "series")
            try await Self.indexForSearch("series", id, db)
            return true
        }
    }

    func delete(id: String) async throws -> [String] {
        try await transaction { db in
            let removed = try await Self.delete(id, db)
            for (title, document) in removed { try await Self.announce(.mediaDeleted, job: nil, mediaId: title, media: document, db) }
            return removed.map(\.id)
        }
    }

    /// Removes a title or a series with its episodes; the removed titles' documents as they were.
    private static func delete(_ id: String, _ db: PostgresConnection) async throws -> [(id: String, document: MediaDocument?)] {
        func documents(_ ids: [String]) async throws -> [(id: String, document: MediaDocument?)] {
            var found: [(id: String, document: MediaDocument?)] = []
            for id in ids { found.append((id, try await entry(id, db).map(MediaDocument.init))) }
            return found
        }
        if let media = try await media(id, db) {
            let removed = try await documents([id])
            try await remove(media, db)
            try await db.run(#"DELETE FROM "titleKey" WHERE "mediaId" = \#(id)"#)
            try await db.run(#"DELETE FROM "playbackStart" WHERE "mediaId" = \#(id)"#)
            return removed
        }
        guard try await !db.column(Int.self, "SELECT 1 FROM series WHERE id = \(id)").isEmpty else { return [] }
        let removed = try await documents(try await db.column(String.self, "SELECT id FROM media WHERE \"seriesId\" = \(id)"))
        try await db.run(#"DELETE FROM "titleKey" WHERE "mediaId" IN (SELECT id FROM media WHERE "seriesId" = \#(id))"#)
        try await db.run(#"DELETE FROM "playbackStart" WHERE "mediaId" IN (SELECT id FROM media WHERE "seriesId" = \#(id))"#)
        try await db.run("DELETE FROM series WHERE id = \(id)")
        return removed
    }

    // MARK: Entries

    static func entry(_ id: String, _ db: PostgresConnection) async throws -> CatalogEntry? {
        if let media = try await media(id, db) {
            return .title(try await title(media, db))
        }
        guard let series = try await db.fetchOne(Series.self, "SELECT to_jsonb(s)::text FROM series s WHERE id = \(id)") else { return nil }
        let episodes = try await db.fetchAll(Media.self, """
            SELECT to_jsonb(m)::text FROM media m WHERE "seriesId" = \(id)
            ORDER BY "seasonNumber" NULLS FIRST, "episodeNumber" NULLS FIRST
            """)
        var titles: [TitleRecord] = []
        for episode in episodes { titles.append(try await title(episode, db)) }
        return .series(series, episodes: titles)
    }

    private static func title(_ media: Media, _ db: PostgresConnection) async throws -> TitleRecord {
        TitleRecord(
            media: media,
            renditions: try await db.fetchAll(Rendition.self, "SELECT to_jsonb(r)::text FROM rendition r WHERE \"mediaId\" = \(media.id) ORDER BY id"),
            audio: try await db.fetchAll(AudioTrack.self, "SELECT to_jsonb(a)::text FROM \"audioTrack\" a WHERE \"mediaId\" = \(media.id) ORDER BY id"),
            subtitles: try await db.fetchAll(SubtitleTrack.self, "SELECT to_jsonb(s)::text FROM \"subtitleTrack\" s WHERE \"mediaId\" = \(media.id) ORDER BY id"),
            progress: media.status == .processing
                ? try await db.column(Double.self, "SELECT progress FROM job WHERE \"mediaId\" = \(media.id) AND state = 'running'").first
                : nil,
            views: try await db.column(Int.self, #"SELECT count(*) FROM "playbackStart" WHERE "mediaId" = \#(media.id)"#).first ?? 0)
    }
}

/// A search as PostgreSQL text search terms: every word (letters and digits) as a prefix,
/// all required — what FTS5's prefix pattern does for SQLite. Nil when there is no word.
struct SearchTerms {
    let words: [String]

    init?(_ query: String) {
        words = query.lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
        if words.isEmpty { return nil }
    }

    /// `word:* & other:*`.
    var tsquery: String { words.map { "\($0):*" }.joined(separator: " & ") }
}
