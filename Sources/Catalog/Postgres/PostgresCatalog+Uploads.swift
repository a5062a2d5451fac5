import Foundation
import PostgresNIO

extension PostgresCatalog {
    func createUpload(_ upload: UploadSession) async throws {
        try await transaction { db in try await db.insert(upload, into: "upload") }
    }

    func upload(id: String) async throws -> UploadSession? {
        try await reading { db in try await db.fetchOne(UploadSession.self, "SELECT to_jsonb(u)::text FROM upload u WHERE id = \(id)") }
    }

    func advanceUpload(id: String, from: Int64, to: Int64) async throws -> Bool {
        try await transaction { db in
            try await !db.column(String.self, #"UPDATE upload SET "offset" = \#(to) WHERE id = \#(id) AND "offset" = \#(from) RETURNING id"#).isEmpty
        }
    }

    func completeUpload(id: String, jobId: String) async throws {
        try await transaction { db in
            try await db.run(#"UPDATE upload SET "jobId" = \#(jobId) WHERE id = \#(id) AND "offset" = length"#)
        }
    }

    func deleteUpload(id: String) async throws {
        try await transaction { db in try await db.run("DELETE FROM upload WHERE id = \(id)") }
    }

    func uploadsToSweep(now: Date) async throws -> [UploadSession] {
        try await reading { db in
            try await db.fetchAll(UploadSession.self, #"""
                SELECT to_jsonb(u)::text FROM upload u
                WHERE "expiresAt" < \#(now) OR ("offset" = length AND "jobId" IS NULL)
                """#)
        }
    }

    func createUploadGrant(_ grant: UploadGrant) async throws {
        try await transaction { db in try await db.insert(grant, into: "uploadGrant") }
    }

    func useUploadGrant(tokenHash: String, for uploadId: String, length: Int64) async throws -> UploadGrant? {
        try await transaction { db in
            try await db.fetchOne(UploadGrant.self, #"""
                UPDATE "uploadGrant" g SET "uploadId" = \#(uploadId)
                WHERE "tokenHash" = \#(tokenHash) AND "uploadId" IS NULL AND "expiresAt" > now()
                  AND ("maxBytes" IS NULL OR "maxBytes" >= \#(length))
                RETURNING to_jsonb(g)::text
                """#)
        }
    }
}
