import Foundation
import GRDB

extension SQLiteCatalog {
    public func publishProcessing(_ title: PublishedTitle) async throws {
        try await pool.write { db in
            guard try !Media.exists(db, key: title.media.id) else { return }
            var processing = title
            processing.media.status = .processing
            try Self.insert(processing, in: db)
        }
    }

    public func publish(_ title: PublishedTitle, jobID: String) async throws -> PublishOutcome {
        try await pool.write { db in
            if let existing = try Self.earlier(digest: title.media.digest, than: title.media.id, in: db) {
                try Self.withdraw(title.media.id, in: db)
                try Self.finish(jobID, as: .duplicate, error: nil, mediaId: existing, in: db)
                return .duplicate(of: existing)
            }
            let createdAt = try Self.createdAt(of: title.media.id, in: db)
            try Self.withdraw(title.media.id, in: db)
            var ready = title
            ready.media.status = .ready
            try Self.insert(ready, createdAt: createdAt, in: db)
            try Self.finish(jobID, as: .succeeded, error: nil, mediaId: ready.media.id, in: db)
            return .published(mediaId: ready.media.id)
        }
    }

    public func withdraw(mediaId: String) async throws {
        try await pool.write { db in try Self.withdraw(mediaId, in: db) }
    }

    /// Removes a processing title's record (and its series if it was the last episode).
    private static func withdraw(_ id: String, in db: Database) throws {
        guard let media = try Media.fetchOne(db, key: id), media.status == .processing else { return }
        try media.delete(db)
        if let seriesID = media.seriesId, try Media.filter(Media.Columns.seriesId == seriesID).fetchCount(db) == 0 {
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
                .filter(Series.Columns.type == name.type)
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

    public func mediaID(digest: String, before mediaId: String) async throws -> String? {
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

    public func mediaStatus(id: String) async throws -> Media.Status? {
        try await pool.read { db in
            try String.fetchOne(db, sql: "SELECT status FROM media WHERE id = ?", arguments: [id]).flatMap(Media.Status.init)
        }
    }

    public func document(id: String) async throws -> MediaDocument? {
        try await pool.read { db in
            if let media = try Media.fetchOne(db, key: id) { return try Self.document(media, in: db) }
            if let series = try Series.fetchOne(db, key: id) { return try Self.document(series, in: db) }
            return nil
        }
    }

    public func list(type: String?, genre: String?, page: Int, limit: Int) async throws -> (items: [MediaDocument], total: Int) {
        try await pool.read { db in
            var movies = Media.filter(Media.Columns.seriesId == nil)
            var series = Series.all()
            if let type {
                movies = movies.filter(Media.Columns.type == type)
                series = series.filter(Series.Columns.type == type)
            }
            var documents = try movies.fetchAll(db).map { try Self.document($0, in: db) }
                + series.fetchAll(db).map { try Self.document($0, in: db) }
            if let genre {
                documents = documents.filter { $0.genre.contains { $0.caseInsensitiveCompare(genre) == .orderedSame } }
            }
            documents.sort { $0.updatedAt > $1.updatedAt }
            let start = max(0, (page - 1) * limit)
            return (Array(documents.dropFirst(start).prefix(limit)), documents.count)
        }
    }

    public func search(_ query: String, limit: Int) async throws -> [MediaDocument] {
        guard let pattern = FTS5Pattern(matchingAllPrefixesIn: query) else { return [] }
        return try await pool.read { db in
            let media = try Media.fetchAll(db, sql: """
                SELECT media.* FROM media JOIN mediaSearch ON mediaSearch.rowid = media.rowid
                WHERE mediaSearch MATCH ? ORDER BY mediaSearch.rank
                """, arguments: [pattern])
            let series = try Series.fetchAll(db, sql: """
                SELECT series.* FROM series JOIN seriesSearch ON seriesSearch.rowid = series.rowid
                WHERE seriesSearch MATCH ? ORDER BY seriesSearch.rank
                """, arguments: [pattern])
            var seen = Set<String>(), documents: [MediaDocument] = []
            for found in series.map({ Either.series($0) }) + media.map({ Either.media($0) }) {
                let document: MediaDocument
                switch found {
                case let .series(series): document = try Self.document(series, in: db)
                case let .media(media):
                    if let seriesID = media.seriesId, let series = try Series.fetchOne(db, key: seriesID) {
                        document = try Self.document(series, in: db)
                    } else {
                        document = try Self.document(media, in: db)
                    }
                }
                if seen.insert(document.id).inserted { documents.append(document) }
            }
            return Array(documents.prefix(limit))
        }
    }

    private enum Either {
        case media(Media)
        case series(Series)
    }

    public func delete(id: String) async throws -> [String] {
        try await pool.write { db in
            if let media = try Media.fetchOne(db, key: id) {
                try media.delete(db)
                if let seriesID = media.seriesId,
                   try Media.filter(Media.Columns.seriesId == seriesID).fetchCount(db) == 0 {
                    _ = try Series.deleteOne(db, key: seriesID)
                }
                return [id]
            }
            guard try Series.exists(db, key: id) else { return [] }
            let episodes = try String.fetchAll(db, Media.select(Media.Columns.id).filter(Media.Columns.seriesId == id))
            _ = try Series.deleteOne(db, key: id)
            return episodes
        }
    }

    // MARK: Documents

    private static func document(_ media: Media, in db: Database) throws -> MediaDocument {
        let (sources, subtitles, dubbing) = try tracks(of: media, in: db)
        return MediaDocument(
            id: media.id, title: media.title, originalTitle: media.originalTitle, type: media.type, genre: media.genre,
            year: media.year, description: media.description, duration: minutes(media.durationSeconds),
            durationSeconds: media.durationSeconds, poster: media.hasPoster ? url(media.id, "poster.jpg") : nil,
            hls: url(media.id, "master.m3u8"), storyboard: media.hasStoryboard ? url(media.id, "storyboard.vtt") : nil,
            sources: sources, subtitles: subtitles, dubbing: dubbing, seasons: [], status: media.status.rawValue,
            progress: media.status == .processing ? try progress(ofTitle: media.id, in: db) : nil,
            createdAt: media.createdAt, updatedAt: media.updatedAt)
    }

    private static func document(_ series: Series, in db: Database) throws -> MediaDocument {
        let episodes = try Media.filter(Media.Columns.seriesId == series.id)
            .order(Column("seasonNumber"), Column("episodeNumber")).fetchAll(db)
        var seasons: [MediaDocument.Season] = []
        for episode in episodes {
            let (sources, subtitles, dubbing) = try tracks(of: episode, in: db)
            let entry = MediaDocument.Episode(
                id: episode.id, number: episode.episodeNumber ?? 0, title: episode.title,
                duration: minutes(episode.durationSeconds), durationSeconds: episode.durationSeconds,
                poster: episode.hasPoster ? url(episode.id, "poster.jpg") : nil, hls: url(episode.id, "master.m3u8"),
                sources: sources, subtitles: subtitles, dubbing: dubbing)
            let number = episode.seasonNumber ?? 1
            if seasons.last?.number == number { seasons[seasons.count - 1].episodes.append(entry) }
            else { seasons.append(MediaDocument.Season(number: number, episodes: [entry])) }
        }
        let total = episodes.reduce(0) { $0 + $1.durationSeconds }
        return MediaDocument(
            id: series.id, title: series.title, originalTitle: series.originalTitle, type: series.type, genre: series.genre,
            year: series.year, description: series.description, duration: minutes(total), durationSeconds: total,
            poster: episodes.first { $0.hasPoster }.map { url($0.id, "poster.jpg") }, hls: nil, storyboard: nil,
            sources: [], subtitles: [], dubbing: [], seasons: seasons,
            status: episodes.contains { $0.status == .processing } ? Media.Status.processing.rawValue : Media.Status.ready.rawValue,
            progress: nil, createdAt: series.createdAt, updatedAt: series.updatedAt)
    }

    /// The packaging progress of a processing title: its running job's.
    private static func progress(ofTitle id: String, in db: Database) throws -> Double? {
        try Double.fetchOne(db, sql: "SELECT progress FROM job WHERE mediaId = ? AND state = 'running'", arguments: [id])
    }

    private static func tracks(of media: Media, in db: Database) throws
        -> ([MediaDocument.Source], [MediaDocument.Subtitle], [MediaDocument.Dub]) {
        let sources = try Rendition.filter(Column("mediaId") == media.id).order(Column("bandwidth").desc).fetchAll(db).map {
            MediaDocument.Source(quality: $0.quality, url: url(media.id, $0.playlist), size: $0.size, width: $0.width,
                                 height: $0.height, bandwidth: $0.bandwidth, codecs: $0.codecs)
        }
        let subtitles = try SubtitleTrack.filter(Column("mediaId") == media.id).order(Column("id")).fetchAll(db).map {
            MediaDocument.Subtitle(language: $0.language, name: $0.name, forced: $0.isForced,
                                   url: url(media.id, $0.playlist), file: url(media.id, $0.file))
        }
        let dubbing = try AudioTrack.filter(Column("mediaId") == media.id).order(Column("id")).fetchAll(db).map {
            MediaDocument.Dub(language: $0.language, name: $0.name, default: $0.isDefault, url: url(media.id, $0.playlist))
        }
        return (sources, subtitles, dubbing)
    }

    private static func url(_ id: String, _ path: String) -> String { "/hls/\(id)/\(path)" }
    private static func minutes(_ seconds: Double) -> Double { (seconds / 60 * 100).rounded() / 100 }
}
