import Foundation
import GRDB

/// The embedded catalog: one SQLite file in WAL mode (readers never wait for the writer,
/// the CLI and the daemon share it), with a busy timeout for writers of other processes
/// and foreign keys on. Write transactions are IMMEDIATE (GRDB's default), so a claim
/// never upgrades a read lock and two daemons cannot take the same task.
final class SQLiteCatalog: CatalogStore {
    let pool: DatabasePool
    /// How often an idle worker looks for work queued by another process (SQLite has no
    /// notifications; work this process queues rings `doorbell`).
    static let poll = Duration.milliseconds(150)
    let doorbell = Doorbell()

    /// Opens (creating if needed) the catalog at `path` and brings its schema up to date;
    /// refuses a catalog made by a newer StreamVault.
    init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(15)
        configuration.foreignKeysEnabled = true
        pool = try DatabasePool(path: path, configuration: configuration)
        let migrator = SQLiteMigrations.migrator
        if try pool.read(migrator.hasBeenSuperseded) {
            throw CatalogError.newerSchema(catalog: path)
        }
        try migrator.migrate(pool)
    }

    func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    func waitForWork(timeout: Duration) async {
        await doorbell.wait(timeout: min(timeout, Self.poll))
    }

    func heartbeat(_ daemon: DaemonStatus) async throws {
        try await pool.write { db in
            try daemon.save(db)
            try db.execute(sql: "DELETE FROM daemon WHERE lastSeen < ?", arguments: [Date(timeIntervalSinceNow: -86400)])
        }
    }

    func daemons(seenSince since: Date) async throws -> [DaemonStatus] {
        try await pool.read { db in
            try DaemonStatus.filter(Column("lastSeen") >= since).order(Column("node"), Column("http")).fetchAll(db)
        }
    }
}
