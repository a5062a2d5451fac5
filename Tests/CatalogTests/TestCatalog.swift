import Catalog
import Foundation
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
    let location: String

    init(_ engine: Engine) throws {
        switch engine {
        case .sqlite: location = "sqlite:" + (try Fixtures.temporaryFolder("catalog").appendingPathComponent("catalog.sqlite").path)
        case .postgres: location = try PostgresServer.shared.createDatabase()
        }
    }

    func open() async throws -> any CatalogStore {
        try await CatalogLocation(location).open(patience: .seconds(20))
    }
}
