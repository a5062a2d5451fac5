import Foundation
import Logging
import PostgresNIO
import VaultLayout

/// Where the catalog is (`--catalog URL`, SPEC §9) — the one place that chooses a store.
public enum CatalogLocation: Sendable, Equatable, CustomStringConvertible {
    /// The embedded catalog, one SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL database shared by every daemon of the vault.
    case postgres(PostgresAddress)

    /// `--catalog`, else `$STREAMVAULT_CATALOG`, else `sqlite:<root>/catalog.sqlite`.
    public static func resolve(_ option: String?, vault: Vault,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws -> CatalogLocation {
        guard let text = option ?? environment["STREAMVAULT_CATALOG"], !text.isEmpty else { return .sqlite(path: vault.catalog.path) }
        return try CatalogLocation(text)
    }

    /// Parses `sqlite:PATH` (or `sqlite://PATH`) and
    /// `postgres[ql]://USER[:PASSWORD]@HOST[:PORT]/DATABASE[?sslmode=MODE&sslrootcert=FILE]`.
    public init(_ text: String) throws {
        let shown = PostgresAddress.hidingPassword(text)
        if text.hasPrefix("sqlite:") {
            var path = String(text.dropFirst("sqlite:".count))
            if path.hasPrefix("//") { path.removeFirst(2) }
            guard !path.isEmpty else { throw CatalogError.badLocation(shown, reason: "no file path") }
            self = .sqlite(path: path)
        } else if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") {
            self = .postgres(try PostgresAddress(text))
        } else {
            throw CatalogError.badLocation(shown, reason: "unknown kind of catalog")
        }
    }

    /// The location with its password hidden.
    public var description: String {
        switch self {
        case let .sqlite(path): "sqlite:\(path)"
        case let .postgres(address): address.description
        }
    }

    /// Opens the store and brings its schema up to date. An unreachable PostgreSQL server
    /// is tried again with growing waits (1, 2, 4 … 30 s) until `patience` runs out (nil:
    /// for ever), each failure logged; other errors end at once.
    public func open(logger: Logger = Logger(label: "streamvault.catalog"), patience: Duration? = .seconds(15)) async throws -> any CatalogStore {
        switch self {
        case let .sqlite(path):
            return try SQLiteCatalog(path: path)
        case let .postgres(address):
            let catalog = PostgresCatalog(address, logger: logger)
            let start = ContinuousClock.now
            var wait = Duration.seconds(1)
            while true {
                do {
                    try await catalog.probe()
                    try await catalog.migrate()
                    return catalog
                } catch {
                    let reason = PostgresFailure.describe(error)
                    guard PostgresFailure.isTransient(error) else { throw CatalogError.unreachable(reason: "\(address): \(reason)") }
                    if let patience, ContinuousClock.now - start + wait > patience {
                        throw CatalogError.unreachable(reason: "\(address): \(reason)")
                    }
                    logger.error("catalog \(address) unreachable (\(reason)); trying again in \(Int(wait.seconds)) s")
                    try await Task.sleep(for: wait)
                    wait = min(wait * 2, .seconds(30))
                }
            }
        }
    }
}

/// A PostgreSQL server and database, with the credentials to reach it and how the
/// connection is encrypted.
public struct PostgresAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var tls: PostgresTLSMode
    /// The certificate authorities trusted for the server's certificate (PEM); the
    /// system's when nil.
    public var rootCertificate: String?

    init(_ text: String) throws {
        let shown = Self.hidingPassword(text)
        guard let url = URLComponents(string: text) else { throw CatalogError.badLocation(shown, reason: "not a URL") }
        guard let host = url.host, !host.isEmpty else { throw CatalogError.badLocation(shown, reason: "no host") }
        guard let user = url.user, !user.isEmpty else { throw CatalogError.badLocation(shown, reason: "no user") }
        let database = String(url.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw CatalogError.badLocation(shown, reason: "no database name") }
        if let port = url.port, !(1...65535).contains(port) { throw CatalogError.badLocation(shown, reason: "port out of range") }
        self.host = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        port = url.port ?? 5432
        self.user = user.removingPercentEncoding ?? user
        password = url.password.map { $0.removingPercentEncoding ?? $0 }
        self.database = database.removingPercentEncoding ?? database
        var tls = PostgresTLSMode.prefer, rootCertificate: String?
        for item in url.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case let ("sslmode", value):
                guard let mode = PostgresTLSMode(rawValue: value) else {
                    throw CatalogError.badLocation(shown, reason: "sslmode \(value) is none of \(PostgresTLSMode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                tls = mode
            case let ("sslrootcert", file) where !file.isEmpty: rootCertificate = file
            default: throw CatalogError.badLocation(shown, reason: "unknown parameter \(item.name) (sslmode and sslrootcert are known)")
            }
        }
        self.tls = tls
        self.rootCertificate = rootCertificate
    }

    public var description: String {
        var parameters: [String] = []
        if tls != .prefer { parameters.append("sslmode=\(tls.rawValue)") }
        if let rootCertificate { parameters.append("sslrootcert=\(rootCertificate)") }
        return "postgres://\(user)\(password == nil ? "" : ":***")@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)"
            + (parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&"))
    }

    /// The TLS settings for `tls`: nil when disabled; the server's certificate checked
    /// against `rootCertificate` (or the system's authorities) from `verify-ca` on, and its
    /// name (or IP address) from `verify-full` on.
    func tlsConfiguration() -> TLSConfiguration? {
        guard tls != .disable else { return nil }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = switch tls {
        case .disable, .prefer, .require: .none
        case .verifyCA: .noHostnameVerification
        case .verifyFull: .fullVerification
        }
        if let rootCertificate { configuration.trustRoots = .file(rootCertificate) }
        return configuration
    }

    /// `scheme://user:***@…` for any URL-like text (a malformed one too).
    static func hidingPassword(_ text: String) -> String {
        guard let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].lastIndex(of: "@"),
              let colon = text[scheme.upperBound..<at].firstIndex(of: ":") else { return text }
        return text[..<text.index(after: colon)] + "***" + text[at...]
    }
}

/// How the connection to PostgreSQL is encrypted: libpq's `sslmode` values and default.
/// `prefer` and `require` encrypt without checking the server's certificate; `verify-ca`
/// checks that a trusted authority signed it, `verify-full` also that it names the host.
public enum PostgresTLSMode: String, Sendable, CaseIterable {
    case disable, prefer, require
    case verifyCA = "verify-ca"
    case verifyFull = "verify-full"
}

/// PostgreSQL errors in words: the server's message, or what stopped the connection.
enum PostgresFailure {
    static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError {
            return describe(error.closureError ?? error.commitError ?? error.beginError ?? error.rollbackError ?? CatalogError.unreachable(reason: "transaction failed"))
        }
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] { return message }
        if error.code == .sslUnsupported { return "the server does not offer TLS, which the sslmode asks for" }
        if isTLSFailure(error), let underlying = error.underlying {
            return "TLS with the server failed (is its certificate trusted? see sslmode and sslrootcert): \(underlying)"
        }
        if let underlying = error.underlying { return "\(underlying)" }
        return "\(error.code)"
    }

    /// A TLS handshake that failed (a certificate refused, no protocol in common).
    static func isTLSFailure(_ error: PSQLError) -> Bool { error.underlying is NIOSSLError || error.underlying is BoringSSLError }

    /// Whether trying again later may work: anything but an answer of the server (a wrong
    /// password, no such database) or a schema too new — except a server starting up.
    static func isTransient(_ error: any Error) -> Bool {
        if let error = error as? PostgresTransactionError {
            return isTransient(error.closureError ?? error.commitError ?? error.beginError ?? CatalogError.unreachable(reason: ""))
        }
        switch error as? CatalogError {
        case .newerSchema?, .badLocation?: return false
        default: break
        }
        // A server without TLS, or a certificate refused: no later try can change that.
        if let error = error as? PSQLError, error.code == .sslUnsupported || isTLSFailure(error) { return false }
        guard let state = (error as? PSQLError)?.serverInfo?[.sqlState] else { return true }
        return state.hasPrefix("57P") || state.hasPrefix("08")
    }
}
