import Foundation
import GRDB

/// The embedded catalog: one SQLite file in WAL mode (readers never wait for the writer,
/// the CLI and the daemon share it), with a busy timeout for writers of other processes
/// and foreign keys on. Write transactions are IMMEDIATE (GRDB's default), so a claim
/// never upgrades a read lock and two daemons cannot take the same job.
public final class SQLiteCatalog: CatalogStore {
    let pool: DatabasePool

    /// Opens (creating if needed) the catalog at `path` and brings its schema up to date.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(15)
        configuration.foreignKeysEnabled = true
        pool = try DatabasePool(path: path, configuration: configuration)
        try CatalogMigrations.migrator.migrate(pool)
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}

extension Duration {
    /// The duration in seconds, fractions included.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
