import Logging
import PostgresNIO

/// The PostgreSQL catalog's schema: numbered migrations, each applied once in its own
/// transaction by whichever daemon or command connects first, one at a time (a
/// session-level advisory lock). A catalog migrated by a newer StreamVault is refused.
/// Never edit a migration once it has shipped; add one.
enum PostgresMigrations {
    /// Advisory lock keys (arbitrary, fixed).
    static let migrationLock = 7_215_001
    static let publishLock = 7_215_002

    static let migrations: [(version: Int, statements: [String])] = [
        (1, [
            "CREATE EXTENSION IF NOT EXISTS unaccent",
            """
            CREATE TABLE series (
              id text PRIMARY KEY, type text NOT NULL, title text NOT NULL, "originalTitle" text NOT NULL DEFAULT '',
              year integer, description text NOT NULL DEFAULT '', genre jsonb NOT NULL DEFAULT '[]',
              "createdAt" timestamptz NOT NULL, "updatedAt" timestamptz NOT NULL, search tsvector)
            """,
            """
            CREATE TABLE media (
              id text PRIMARY KEY, type text NOT NULL, title text NOT NULL, "originalTitle" text NOT NULL DEFAULT '',
              year integer, description text NOT NULL DEFAULT '', genre jsonb NOT NULL DEFAULT '[]',
              "durationSeconds" double precision NOT NULL,
              "seriesId" text REFERENCES series ON DELETE CASCADE, "seasonNumber" integer, "episodeNumber" integer,
              digest text NOT NULL, source text NOT NULL, "hasPoster" boolean NOT NULL, "hasStoryboard" boolean NOT NULL,
              status text NOT NULL DEFAULT 'ready', "createdAt" timestamptz NOT NULL, "updatedAt" timestamptz NOT NULL,
              search tsvector)
            """,
            #"CREATE INDEX ON media ("seriesId")"#,
            "CREATE INDEX ON media (digest)",
            #"CREATE INDEX ON media ("updatedAt")"#,
            "CREATE INDEX ON media USING gin (search)",
            "CREATE INDEX ON series USING gin (search)",
            """
            CREATE TABLE rendition (
              id bigserial PRIMARY KEY, "mediaId" text NOT NULL REFERENCES media ON DELETE CASCADE,
              quality text NOT NULL, width integer NOT NULL, height integer NOT NULL, size bigint NOT NULL,
              bandwidth bigint NOT NULL, "averageBandwidth" bigint NOT NULL, codecs text NOT NULL,
              playlist text NOT NULL, "iFramePlaylist" text)
            """,
            """
            CREATE TABLE "audioTrack" (
              id bigserial PRIMARY KEY, "mediaId" text NOT NULL REFERENCES media ON DELETE CASCADE,
              language text NOT NULL, name text NOT NULL, "isDefault" boolean NOT NULL, "isDub" boolean NOT NULL,
              channels integer NOT NULL, playlist text NOT NULL)
            """,
            """
            CREATE TABLE "subtitleTrack" (
              id bigserial PRIMARY KEY, "mediaId" text NOT NULL REFERENCES media ON DELETE CASCADE,
              language text NOT NULL, name text NOT NULL, "isForced" boolean NOT NULL,
              "isHearingImpaired" boolean NOT NULL, playlist text NOT NULL, file text NOT NULL)
            """,
            #"CREATE INDEX ON rendition ("mediaId")"#,
            #"CREATE INDEX ON "audioTrack" ("mediaId")"#,
            #"CREATE INDEX ON "subtitleTrack" ("mediaId")"#,
            """
            CREATE TABLE job (
              id text PRIMARY KEY, "mediaId" text NOT NULL, source text NOT NULL, sidecars jsonb NOT NULL,
              origin text NOT NULL, title text, type text, preset text NOT NULL, state text NOT NULL,
              stage text NOT NULL, progress double precision NOT NULL, speed double precision NOT NULL,
              attempts integer NOT NULL, "maxAttempts" integer NOT NULL, error text,
              "createdAt" timestamptz NOT NULL, "startedAt" timestamptz, "finishedAt" timestamptz,
              "cancelRequested" boolean NOT NULL, digest text)
            """,
            "CREATE INDEX ON job (state)",
            #"CREATE INDEX ON job ("createdAt")"#,
            #"CREATE INDEX ON job ("mediaId")"#,
            """
            CREATE TABLE "jobTask" (
              id text PRIMARY KEY, "jobId" text NOT NULL REFERENCES job ON DELETE CASCADE, kind text NOT NULL,
              number integer NOT NULL, priority integer NOT NULL, start double precision, "end" double precision,
              state text NOT NULL, node text, progress double precision NOT NULL, segments integer NOT NULL,
              attempts integer NOT NULL, error text, "notBefore" timestamptz, "leaseOwner" text,
              "leaseExpiresAt" timestamptz)
            """,
            #"CREATE INDEX ON "jobTask" ("jobId")"#,
            #"CREATE INDEX ON "jobTask" (state, priority)"#,
            """
            CREATE TABLE daemon (
              owner text PRIMARY KEY, node text NOT NULL, http text NOT NULL, workers integer NOT NULL,
              running integer NOT NULL, "lastSeen" timestamptz NOT NULL)
            """,
        ]),
        (2, [#"ALTER TABLE media ADD COLUMN "hasDash" boolean NOT NULL DEFAULT false"#]),
        (3, [#"CREATE TABLE "titleKey" ("mediaId" text PRIMARY KEY, key text NOT NULL, "createdAt" timestamptz NOT NULL DEFAULT now())"#]),
        (4, ["media", "series"].map { #"ALTER TABLE \#($0) ADD COLUMN details jsonb NOT NULL DEFAULT '\#(TitleDetails.emptyJSON)'"# }),
        (5, [
            #"CREATE TABLE "webhookEvent" (seq bigserial PRIMARY KEY, id text NOT NULL UNIQUE, type text NOT NULL, "mediaId" text NOT NULL, body text NOT NULL, "createdAt" timestamptz NOT NULL)"#,
            #"CREATE TABLE "webhookEndpoint" (url text PRIMARY KEY, since bigint NOT NULL, "registeredAt" timestamptz NOT NULL DEFAULT now())"#,
            #"CREATE TABLE "webhookDelivery" (url text NOT NULL, seq bigint NOT NULL REFERENCES "webhookEvent" ON DELETE CASCADE, state text NOT NULL, attempts integer NOT NULL, "nextAttemptAt" timestamptz, "leaseOwner" text, "leaseExpiresAt" timestamptz, "lastStatus" integer, "lastError" text, "lastAttemptAt" timestamptz, "deliveredAt" timestamptz, PRIMARY KEY (url, seq))"#,
            #"CREATE INDEX ON "webhookDelivery" (url, state, seq)"#,
        ]),
        (6, [
            #"CREATE TABLE upload (id text PRIMARY KEY, filename text NOT NULL, title text, type text, preset text, length bigint NOT NULL, "offset" bigint NOT NULL, "createdAt" timestamptz NOT NULL, "expiresAt" timestamptz NOT NULL, "jobId" text)"#,
            #"CREATE INDEX ON upload ("expiresAt")"#,
            #"CREATE TABLE "uploadGrant" ("tokenHash" text PRIMARY KEY, title text, type text, preset text, "maxBytes" bigint, "expiresAt" timestamptz NOT NULL, "uploadId" text)"#,
        ]),
        (7, [
            #"CREATE TABLE "playbackStart" ("mediaId" text NOT NULL, viewer text NOT NULL, hour bigint NOT NULL, at timestamptz NOT NULL, PRIMARY KEY ("mediaId", viewer, hour))"#,
            #"CREATE INDEX ON "playbackStart" (at)"#,
        ]),
        (8, [#"ALTER TABLE job ADD COLUMN warnings jsonb NOT NULL DEFAULT '[]'"#]),
        (9, [#"ALTER TABLE "audioTrack" ADD COLUMN codec text NOT NULL DEFAULT 'aac'"#]),
    ]

    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { db in
            try await db.run("SELECT pg_advisory_lock(\(migrationLock))")
            do {
                try await db.run(#"CREATE TABLE IF NOT EXISTS "schemaVersion" (version integer PRIMARY KEY, "appliedAt" timestamptz NOT NULL DEFAULT now())"#)
                let current = try await db.column(Int.self, #"SELECT COALESCE(max(version), 0)::bigint FROM "schemaVersion""#).first ?? 0
                if let known = migrations.last?.version, current > known {
                    throw CatalogError.newerSchema(catalog: "the PostgreSQL catalog (schema \(current), this binary knows \(known))")
                }
                for migration in migrations where migration.version > current {
                    try await db.withTransaction(logger: logger) { db in
                        for statement in migration.statements { try await db.run(PostgresQuery(unsafeSQL: statement)) }
                        try await db.run(#"INSERT INTO "schemaVersion" (version) VALUES (\#(migration.version))"#)
                    }
                    logger.notice("catalog schema migrated to version \(migration.version)")
                }
            } catch {
                try? await db.run("SELECT pg_advisory_unlock(\(migrationLock))")
                throw error
            }
            try await db.run("SELECT pg_advisory_unlock(\(migrationLock))")
        }
    }
}
