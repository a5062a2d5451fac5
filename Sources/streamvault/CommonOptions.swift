import ArgumentParser
import Catalog
import Foundation
import LibAV
import Logging
import Packager
import VaultLayout

/// Flags every command takes.
struct CommonOptions: ParsableArguments {
    @Option(help: "The vault folder (default: $STREAMVAULT_ROOT, else ./vault).")
    var root: String?

    @Option(help: "The catalog: sqlite:PATH or postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE&sslrootcert=FILE] (default: $STREAMVAULT_CATALOG, else sqlite:<root>/catalog.sqlite).")
    var catalog: String?

    @Flag(help: "Print machine-readable JSON on stdout.")
    var json = false

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: Logger.Level = .warning

    /// The vault root as a URL.
    var rootURL: URL {
        URL(fileURLWithPath: root ?? ProcessInfo.processInfo.environment["STREAMVAULT_ROOT"] ?? "vault")
    }

    func validate() throws {
        do { _ = try catalogLocation } catch { throw ValidationError("\(error)") }
    }

    /// Where the catalog is (SPEC §9).
    var catalogLocation: CatalogLocation {
        get throws { try CatalogLocation.resolve(catalog, vault: Vault(root: rootURL)) }
    }

    /// Opens the catalog (creating the vault's folders), waiting for an unreachable
    /// PostgreSQL server up to `patience` (nil: for ever).
    func openCatalog(patience: Duration? = .seconds(15)) async throws -> any CatalogStore {
        try Vault(root: rootURL).create()
        return try await catalogLocation.open(logger: Logger(label: "streamvault.catalog"), patience: patience)
    }

    /// Sets up swift-log on stderr; libav's own messages join it at info level and below,
    /// and are silent otherwise (our errors name the file and the cause once).
    func bootstrapLogging() {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        if level <= .info { LibAVLog.route(level: level) } else { LibAVLog.silence() }
    }

    /// The presets of this vault and of the repository.
    var presets: PresetLibrary { PresetLibrary(root: rootURL) }

    /// Prints `value` as pretty JSON on stdout.
    func printJSON<T: Encodable>(_ value: T) throws {
        FileHandle.standardOutput.write(try CatalogJSON.encoder(pretty: true).encode(value) + Data("\n".utf8))
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
