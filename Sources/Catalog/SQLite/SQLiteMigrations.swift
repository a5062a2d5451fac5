import GRDB
import VaultLayout

/// The SQLite catalog's schema, one frozen migration per shipped change: never edit a
/// migration once it has shipped, add a new one.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: media, series, tracks, jobs, search") { db in
            try db.create(table: "series") { t in
                t.primaryKey("id", .text)
                t.column("type", .text).notNull()
                t.column("title", .text).notNull()
                t.column("originalTitle", .text).notNull().defaults(to: "")
                t.column("year", .integer)
                t.column("description", .text).notNull().defaults(to: "")
                t.column("genre", .jsonText).notNull().defaults(to: "[]")
                t.column("createdAt", .datetime).notNull()
                t.column("updatedAt", .datetime).notNull()
            }
            try db.create(table: "media") { t in
                t.primaryKey("id", .text)
                t.column("type", .text).notNull()
                t.column("title", .text).notNull()
                t.column("originalTitle", .text).notNull().defaults(to: "")
                t.column("year", .integer)
                t.column("description", .text).notNull().defaults(to: "")
                t.column("genre", .jsonText).notNull().defaults(to: "[]")
                t.column("durationSeconds", .double).notNull()
                t.column("seriesId", .text).indexed().references("series", onDelete: .cascade)
                t.column("seasonNumber", .integer)
                t.column("episodeNumber", .integer)
                t.column("digest", .text).notNull().indexed()
                t.column("source", .text).notNull()
                t.column("hasPoster", .boolean).notNull()
                t.column("hasStoryboard", .boolean).notNull()
                t.column("createdAt", .datetime).notNull().indexed()
                t.column("updatedAt", .datetime).notNull()
            }
            for table in ["rendition", "audioTrack", "subtitleTrack"] {
                try db.create(table: table) { t in
                    t.autoIncrementedPrimaryKey("id")
                    t.column("mediaId", .text).notNull().indexed().references("media", onDelete: .cascade)
                    switch table {
                    case "rendition":
                        t.column("quality", .text).notNull()
                        t.column("width", .integer).notNull()
                        t.column("height", .integer).notNull()
                        t.column("size", .integer).notNull()
                        t.column("bandwidth", .integer).notNull()
                        t.column("averageBandwidth", .integer).notNull()
                        t.column("codecs", .text).notNull()
                        t.column("playlist", .text).notNull()
                        t.column("iFramePlaylist", .text)
                    case "audioTrack":
                        t.column("language", .text).notNull()
                        t.column("name", .text).notNull()
                        t.column("isDefault", .boolean).notNull()
                        t.column("isDub", .boolean).notNull()
                        t.column("channels", .integer).notNull()
                        t.column("playlist", .text).notNull()
                    default:
                        t.column("language", .text).notNull()
                        t.column("name", .text).notNull()
                        t.column("isForced", .boolean).notNull()
                        t.column("isHearingImpaired", .boolean).notNull()
                        t.column("playlist", .text).notNull()
                        t.column("file", .text).notNull()
                    }
                }
            }
            try db.create(table: "job") { t in
                t.primaryKey("id", .text)
                t.column("mediaId", .text).notNull()
                t.column("source", .text).notNull()
                t.column("inputFolder", .text).notNull()
                t.column("sidecars", .jsonText).notNull()
                t.column("origin", .text).notNull()
                t.column("title", .text)
                t.column("type", .text)
                t.column("preset", .text).notNull()
                t.column("state", .text).notNull().indexed()
                t.column("stage", .text).notNull()
                t.column("progress", .double).notNull()
                t.column("speed", .double).notNull()
                t.column("attempts", .integer).notNull()
                t.column("maxAttempts", .integer).notNull()
                t.column("error", .text)
                t.column("createdAt", .datetime).notNull().indexed()
                t.column("startedAt", .datetime)
                t.column("finishedAt", .datetime)
                t.column("notBefore", .datetime)
                t.column("leaseOwner", .text)
                t.column("leaseExpiresAt", .datetime)
                t.column("cancelRequested", .boolean).notNull()
            }
            for table in ["media", "series"] {
                try db.create(virtualTable: "\(table)Search", using: FTS5()) { t in
                    t.synchronize(withTable: table)
                    t.tokenizer = .unicode61(diacritics: .remove)
                    t.column("title")
                    t.column("originalTitle")
                    t.column("description")
                }
            }
        }
        migrator.registerMigration("v2: tasks, processing titles, digests found while packaging") { db in
            try db.create(table: "jobTask") { t in
                t.primaryKey("id", .text)
                t.column("jobId", .text).notNull().indexed().references("job", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("number", .integer).notNull()
                t.column("priority", .integer).notNull()
                t.column("start", .double)
                t.column("end", .double)
                t.column("state", .text).notNull().indexed()
                t.column("node", .text)
                t.column("progress", .double).notNull()
                t.column("segments", .integer).notNull()
                t.column("attempts", .integer).notNull()
                t.column("error", .text)
                t.column("notBefore", .datetime)
                t.column("leaseOwner", .text)
                t.column("leaseExpiresAt", .datetime)
            }
            try db.alter(table: "media") { t in t.add(column: "status", .text).notNull().defaults(to: "ready") }
            try db.alter(table: "job") { t in
                t.add(column: "digest", .text)
                t.drop(column: "notBefore")
                t.drop(column: "leaseOwner")
                t.drop(column: "leaseExpiresAt")
            }
            // A job queued before tasks existed is planned anew.
            try db.execute(sql: """
                INSERT INTO jobTask (id, jobId, kind, number, priority, state, progress, segments, attempts)
                SELECT id || ':plan:0', id, 'plan', 0, 0, 'queued', 0, 0, 0 FROM job WHERE state IN ('queued', 'running')
                """)
            try db.execute(sql: "UPDATE job SET state = 'queued' WHERE state = 'running'")
        }
        migrator.registerMigration("v3: daemons; input folders found from the vault, wherever it is mounted") { db in
            try db.create(table: "daemon") { t in
                t.primaryKey("owner", .text)
                t.column("node", .text).notNull()
                t.column("http", .text).notNull()
                t.column("workers", .integer).notNull()
                t.column("running", .integer).notNull()
                t.column("lastSeen", .datetime).notNull().indexed()
            }
            try db.alter(table: "job") { t in t.drop(column: "inputFolder") }
        }
        migrator.registerMigration("v4: DASH manifests") { db in
            try db.alter(table: "media") { t in t.add(column: "hasDash", .boolean).notNull().defaults(to: false) }
        }
        migrator.registerMigration("v5: titles' AES-128 keys") { db in
            try db.create(table: "titleKey") { t in
                t.primaryKey("mediaId", .text)
                t.column("key", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v6: cast, director, studio, country, language and tags") { db in
            for table in ["media", "series"] {
                try db.alter(table: table) { t in t.add(column: "details", .jsonText).notNull().defaults(to: TitleDetails.emptyJSON) }
            }
        }
        migrator.registerMigration("v7: the webhook outbox") { db in
            try db.create(table: "webhookEvent") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("id", .text).notNull().unique()
                t.column("type", .text).notNull()
                t.column("mediaId", .text).notNull()
                t.column("body", .text).notNull()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "webhookEndpoint") { t in
                t.primaryKey("url", .text)
                t.column("since", .integer).notNull()
                t.column("registeredAt", .datetime).notNull()
            }
            try db.create(table: "webhookDelivery") { t in
                t.column("url", .text).notNull()
                t.column("seq", .integer).notNull().references("webhookEvent", onDelete: .cascade)
                t.column("state", .text).notNull()
                t.column("attempts", .integer).notNull()
                t.column("nextAttemptAt", .datetime)
                t.column("leaseOwner", .text)
                t.column("leaseExpiresAt", .datetime)
                t.column("lastStatus", .integer)
                t.column("lastError", .text)
                t.column("lastAttemptAt", .datetime)
                t.column("deliveredAt", .datetime)
                t.primaryKey(["url", "seq"])
            }
            try db.create(index: "webhookDeliveryDue", on: "webhookDelivery", columns: ["url", "state", "seq"])
        }
        migrator.registerMigration("v8: uploads") { db in
            try db.create(table: "upload") { t in
                t.primaryKey("id", .text)
                t.column("filename", .text).notNull()
                t.column("title", .text)
                t.column("type", .text)
                t.column("preset", .text)
                t.column("length", .integer).notNull()
                t.column("offset", .integer).notNull()
                t.column("createdAt", .datetime).notNull()
                t.column("expiresAt", .datetime).notNull().indexed()
                t.column("jobId", .text)
            }
            try db.create(table: "uploadGrant") { t in
                t.primaryKey("tokenHash", .text)
                t.column("title", .text)
                t.column("type", .text)
                t.column("preset", .text)
                t.column("maxBytes", .integer)
                t.column("expiresAt", .datetime).notNull()
                t.column("uploadId", .text)
            }
        }
        migrator.registerMigration("v9: playback starts") { db in
            try db.create(table: "playbackStart") { t in
                t.column("mediaId", .text).notNull()
                t.column("viewer", .text).notNull()
                t.column("hour", .integer).notNull()
                t.column("at", .datetime).notNull().indexed()
                t.primaryKey(["mediaId", "viewer", "hour"])
            }
        }
        migrator.registerMigration("v10: track warnings of jobs") { db in
            try db.alter(table: "job") { t in t.add(column: "warnings", .jsonText).notNull().defaults(to: "[]") }
        }
        migrator.registerMigration("v11: audio codecs") { db in
            try db.alter(table: "audioTrack") { t in t.add(column: "codec", .text).notNull().defaults(to: AudioCodec.aac.rawValue) }
        }
        return migrator
    }
}
