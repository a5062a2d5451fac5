import Catalog
import Foundation
import Testing
import TestSupport

/// `--catalog` URLs, and what a store does with a catalog it cannot use.
@Suite struct CatalogLocationTests {
    @Test func urlsNameTheStoreAndNeverShowThePassword() throws {
        #expect(try CatalogLocation("sqlite:/srv/vault/catalog.sqlite") == .sqlite(path: "/srv/vault/catalog.sqlite"))
        #expect(try CatalogLocation("sqlite:///srv/c.sqlite") == .sqlite(path: "/srv/c.sqlite"))
        guard case let .postgres(address) = try CatalogLocation("postgres://vault:s%40cret@db.local:6543/streamvault") else {
            Issue.record("not a PostgreSQL location")
            return
        }
        #expect(address.host == "db.local" && address.port == 6543 && address.user == "vault")
        #expect(address.password == "s@cret" && address.database == "streamvault")
        #expect(address.description == "postgres://vault:***@db.local:6543/streamvault")
        guard case let .postgres(plain) = try CatalogLocation("postgresql://me@10.0.0.5/films") else { return }
        #expect(plain.port == 5432 && plain.password == nil && plain.description == "postgres://me@10.0.0.5:5432/films")
    }

    @Test func aMalformedUrlIsRefusedByNameWithItsPasswordHidden() {
        for (text, reason) in [("postgres://u:hunter2@/db", "no host"), ("postgres://u:hunter2@host", "no database name"),
                               ("postgres://host/db", "no user"), ("mysql://u:hunter2@h/db", "unknown kind of catalog"),
                               ("sqlite:", "no file path"), ("postgres://u:hunter2@h:99999/db", "port out of range")] {
            #expect {
                try CatalogLocation(text)
            } throws: { error in
                let message = "\(error)"
                return message.contains(reason) && !message.contains("hunter2") && message.contains("--catalog")
            }
        }
    }

    @Test func theDefaultIsTheEnvironmentThenTheVaultsSQLiteFile() throws {
        let vault = Vault(root: URL(fileURLWithPath: "/srv/vault"))
        #expect(try CatalogLocation.resolve(nil, vault: vault, environment: [:]) == .sqlite(path: "/srv/vault/catalog.sqlite"))
        #expect(try CatalogLocation.resolve(nil, vault: vault, environment: ["STREAMVAULT_CATALOG": "sqlite:/x.db"]) == .sqlite(path: "/x.db"))
        #expect(try CatalogLocation.resolve("sqlite:/y.db", vault: vault, environment: ["STREAMVAULT_CATALOG": "sqlite:/x.db"]) == .sqlite(path: "/y.db"))
    }

    @Test(arguments: Engine.allCases) func aCatalogMigratedByANewerStreamVaultIsRefused(_ engine: Engine) async throws {
        let store = try TestCatalog(engine)
        _ = try await store.open()
        try store.pretendMigratedByANewerVersion()
        await #expect {
            _ = try await store.open()
        } throws: { error in
            "\(error)".contains("made by a newer StreamVault")
        }
    }

    @Test func anUnreachableServerIsTriedAgainThenReportedInWords() async throws {
        let start = ContinuousClock.now
        await #expect {
            _ = try await CatalogLocation("postgres://u:hunter2@127.0.0.1:\(try PostgresServer.freePort())/db").open(patience: .seconds(4))
        } throws: { error in
            let message = "\(error)"
            return message.contains("catalog unreachable") && message.contains("refused") && !message.contains("hunter2")
        }
        #expect(ContinuousClock.now - start >= .seconds(2), "retried before giving up")
    }
}
