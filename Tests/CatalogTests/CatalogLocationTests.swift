import Catalog
import Foundation
import Testing
import TestSupport
import VaultLayout

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

    @Test func tlsIsAskedForAsLibpqSpellsIt() throws {
        guard case let .postgres(strict) = try CatalogLocation("postgres://u@db/v?sslmode=verify-full&sslrootcert=/etc/ca.pem"),
              case let .postgres(plain) = try CatalogLocation("postgres://u@db/v") else {
            Issue.record("not PostgreSQL locations")
            return
        }
        #expect(strict.tls == .verifyFull && strict.rootCertificate == "/etc/ca.pem")
        #expect(strict.description == "postgres://u@db:5432/v?sslmode=verify-full&sslrootcert=/etc/ca.pem")
        #expect(plain.tls == .prefer && plain.rootCertificate == nil && plain.description == "postgres://u@db:5432/v", "libpq's default")
        for (text, reason) in [("postgres://u@db/v?sslmode=on", "sslmode on is none of disable, prefer, require, verify-ca, verify-full"),
                               ("postgres://u@db/v?timeout=3", "unknown parameter timeout")] {
            #expect { try CatalogLocation(text) } throws: { "\($0)".contains(reason) }
        }
    }

    /// A server that offers TLS: what each mode makes of it, seen from the server's side.
    @Test func theConnectionIsEncryptedAndTheServersCertificateCheckedAsAsked() async throws {
        let server = try PostgresServer(listen: "127.0.0.1", tls: true)
        defer { server.stop() }
        let certificate = try #require(server.certificate).path
        /// Whether every connection to `url`'s database is encrypted, once a store has opened it.
        func encrypted(_ url: String) async throws -> Bool {
            let database = String(try #require(URLComponents(string: url)).path.dropFirst())
            let store = try await CatalogLocation(url).open(patience: .seconds(5))
            try await store.ping()
            return try server.query("SELECT bool_and(ssl) FROM pg_stat_ssl JOIN pg_stat_activity USING (pid) WHERE datname = '\(database)'",
                                    database: "postgres") == "t"
        }
        #expect(try await encrypted(try server.createDatabase()), "libpq's default, prefer, encrypts when the server offers TLS")
        #expect(try await encrypted(try server.createDatabase() + "?sslmode=require"))
        #expect(try await encrypted(try server.createDatabase() + "?sslmode=verify-full&sslrootcert=\(certificate)"))
        #expect(try await !encrypted(try server.createDatabase() + "?sslmode=disable"))
        // A certificate no trusted authority signed fails at once, in words, without retries.
        let start = ContinuousClock.now
        await #expect {
            _ = try await CatalogLocation(try server.createDatabase() + "?sslmode=verify-ca").open(patience: .seconds(60))
        } throws: { error in
            "\(error)".contains("TLS with the server failed") && "\(error)".contains("CERTIFICATE_VERIFY_FAILED")
        }
        #expect(ContinuousClock.now - start < .seconds(30), "not retried")
        // A server without TLS when TLS is required.
        await #expect {
            _ = try await CatalogLocation(try PostgresServer.shared.createDatabase() + "?sslmode=require").open(patience: .seconds(60))
        } throws: { "\($0)".contains("does not offer TLS") }
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
