import Catalog
import Foundation
import GRDB
import Testing
import TestSupport

/// The stores every catalog test runs on.
enum Engine: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }
}

/// A new empty catalog on `engine`: a SQLite file in a temporary folder, or a database of
/// its own on the shared PostgreSQL test server. Open it as many times as needed (each
/// open is a separate connection pool, as two daemons would have).
struct TestCatalog {
    let engine: Engine
    let location: String

    init(_ engine: Engine) throws {
        self.engine = engine
        switch engine {
        case .sqlite: location = "sqlite:" + (try Fixtures.temporaryFolder("catalog").appendingPathComponent("catalog.sqlite").path)
        case .postgres: location = try PostgresServer.shared.createDatabase()
        }
    }

    /// Records a schema version this binary does not know, as a newer StreamVault would.
    func pretendMigratedByANewerVersion() throws {
        switch engine {
        case .sqlite:
            let database = try DatabaseQueue(path: String(location.dropFirst("sqlite:".count)))
            try database.write { try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')") }
        case .postgres:
            try PostgresServer.shared.execute(#"INSERT INTO "schemaVersion" (version) VALUES (99)"#,
                                              database: String(location.split(separator: "/").last ?? ""))
        }
    }

    func open() async throws -> any CatalogStore {
        try await CatalogLocation(location).open(patience: .seconds(20))
    }
}

/// Tests name lease owners with a word ("me"): the daemon `test:1:<word>`.
extension LeaseOwner: ExpressibleByStringLiteral {
    public init(stringLiteral word: String) { self.init(host: "test", pid: 1, nonce: word) }
}

/// Task ids written out (`"x:plan:0"`).
extension TaskID: ExpressibleByStringLiteral {
    public init(stringLiteral text: String) { self = TaskID(rawValue: text)! }
}
