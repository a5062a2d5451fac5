import Foundation
import GRDB

extension SQLiteCatalog {
    func createUpload(_ upload: UploadSession) async throws {
        try await pool.write { db in try upload.insert(db) }
    }

    func upload(id: String) async throws -> UploadSession? {
        try await pool.read { db in try UploadSession.fetchOne(db, key: id) }
    }

    func advanceUpload(id: String, from: Int64, to: Int64) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: #"UPDATE upload SET "offset" = ? WHERE id = ? AND "offset" = ?"#, arguments: [to, id, from])
            return db.changesCount == 1
        }
    }

    func completeUpload(id: String, jobId: String) async throws {
        try await pool.write { db in
            try db.execute(sql: #"UPDATE upload SET jobId = ? WHERE id = ? AND "offset" = length"#, arguments: [jobId, id])
        }
    }

    func deleteUpload(id: String) async throws {
        try await pool.write { db in _ = try UploadSession.deleteOne(db, key: id) }
    }

    func uploadsToSweep(now: Date) async throws -> [UploadSession] {
        try await pool.read { db in
            try UploadSession.fetchAll(db, sql: """
                SELECT * FROM upload WHERE expiresAt < ? OR ("offset" = length AND jobId IS NULL)
                """, arguments: [now])
        }
    }

    func createUploadGrant(_ grant: UploadGrant) async throws {
        try await pool.write { db in try grant.insert(db) }
    }

    func useUploadGrant(tokenHash: String, for uploadId: String, length: Int64) async throws -> UploadGrant? {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE uploadGrant SET uploadId = ?
                WHERE tokenHash = ? AND uploadId IS NULL AND expiresAt > ? AND (maxBytes IS NULL OR maxBytes >= ?)
                """, arguments: [uploadId, tokenHash, Date(), length])
            guard db.changesCount == 1 else { return nil }
            return try UploadGrant.fetchOne(db, key: tokenHash)
        }
    }
}
