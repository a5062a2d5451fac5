import Foundation
import Logging
import PostgresNIO

/// The catalog and job queue in PostgreSQL, for many daemons on many hosts (SPEC §9): claims
/// with `FOR UPDATE SKIP LOCKED`, a change to a job's tasks under its job row's lock,
/// `NOTIFY` when work is queued (every daemon `LISTEN`s), PostgreSQL's own text search.
/// Rows are read and written as the values' JSON (`to_jsonb`, `jsonb_populate_record`):
/// columns are named as the properties.
final class PostgresCatalog: CatalogStore {
    let address: PostgresAddress
    let client: PostgresClient
    let logger: Logger
    private let running: Task<Void, Never>
    private let listening: Task<Void, Never>
    /// Rung by each notification, waited on by `waitForWork`.
    private let doorbell = Doorbell()
    static let workChannel = "streamvault_work"
    /// The logger given to each query (PostgresNIO logs queries at debug level).
    static let quiet = Logger(label: "streamvault.catalog.postgres")

    init(_ address: PostgresAddress, logger: Logger) {
        var configuration = PostgresClient.Configuration(
            host: address.host, port: address.port, username: address.user, password: address.password,
            database: address.database, tls: address.tlsConfiguration().map { address.tls == .prefer ? .prefer($0) : .require($0) } ?? .disable)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 8
        configuration.options.additionalStartupParameters = [("TimeZone", "UTC")]
        // PostgresNIO's own warnings (a lease asked for before `run` is scheduled, a connection
        // lost and made again) are noise here: what matters is logged by the store's callers.
        var background = logger
        background.logLevel = .error
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        self.address = address
        self.client = client
        self.logger = logger
        running = Task { await client.run() }
        let doorbell = doorbell
        listening = Task {
            // One connection listens for the whole daemon; after a loss it listens again
            // (meanwhile idle workers poll, so work is still found within their poll).
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: Self.workChannel) { notifications in
                            doorbell.ring()  // anything queued while we were away
                            for try await _ in notifications { doorbell.ring() }
                        }
                    }
                } catch where !Task.isCancelled {
                    logger.warning("catalog notifications lost (\(address)): \(String(reflecting: error)); listening again in 1 s")
                } catch {
                    break  // cancelled: the store is closing
                }
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    deinit {
        listening.cancel()
        running.cancel()
    }

    /// Connects once outside the pool — whose requests wait for a connection as long as it
    /// takes — so that a refusal (no server, a wrong password) is known, and in its words.
    func probe() async throws {
        let tls: PostgresConnection.Configuration.TLS = try address.tlsConfiguration().map { settings in
            let context: NIOSSLContext
            do {
                context = try NIOSSLContext(configuration: settings)
            } catch {
                throw CatalogError.badLocation(address.description, reason: "cannot read sslrootcert \(address.rootCertificate ?? ""): \(error)")
            }
            return address.tls == .prefer ? .prefer(context) : .require(context)
        } ?? .disable
        let configuration = PostgresConnection.Configuration(
            host: address.host, port: address.port, username: address.user, password: address.password,
            database: address.database, tls: tls)
        let connection = try await Self.answer(within: .seconds(10)) { [logger] in
            try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        }
        try await connection.close()
    }

    /// Brings the schema up to date (`PostgresMigrations`).
    func migrate() async throws {
        try await Self.answer(within: .seconds(60)) { [client, logger] in try await PostgresMigrations.migrate(client, logger: logger) }
    }

    func ping() async throws {
        try await Self.answer(within: .seconds(2)) { [client, logger] in _ = try await client.query("SELECT 1", logger: logger).collect() }
    }

    /// `body`'s result, or `CatalogError.unreachable` once `limit` has passed: while the
    /// server is away the pool's requests would wait for it. The caller goes on at the
    /// deadline even when `body` does not end on cancellation (a request stuck on a dead
    /// connection): `body` is cancelled and left to end by itself.
    static func answer<T: Sendable>(within limit: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let outcome = FirstOutcome<T>()
        let work = Task {
            do { outcome.settle(.success(try await body())) } catch { outcome.settle(.failure(error)) }
        }
        let deadline = Task {
            try await Task.sleep(for: limit)
            outcome.settle(.failure(CatalogError.unreachable(reason: "no answer within \(Int(limit.seconds)) s")))
            work.cancel()
        }
        defer { deadline.cancel() }
        return try await withTaskCancellationHandler {
            try await outcome.value
        } onCancel: {
            work.cancel()
            outcome.settle(.failure(CancellationError()))
        }
    }

    func waitForWork(timeout: Duration) async {
        await doorbell.wait(timeout: timeout)
    }

    /// Runs `body` in a transaction (given up after 15 s without an answer); errors in words.
    func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await Self.inWords {
            try await Self.answer(within: Self.patience) { [client, logger] in
                try await client.withTransaction(logger: logger) { connection in try await body(connection) }
            }
        }
    }

    /// Runs `body` on a connection, outside a transaction (given up after 15 s).
    func reading<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await Self.inWords {
            try await Self.answer(within: Self.patience) { [client] in
                try await client.withConnection { connection in try await body(connection) }
            }
        }
    }

    /// PostgresNIO's errors (which print their query and binds) as `CatalogError`s.
    private static func inWords<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as CatalogError {
            throw error
        } catch {
            throw CatalogError.failed(reason: PostgresFailure.describe(error))
        }
    }

    /// How long a request waits for the server.
    static let patience = Duration.seconds(15)

    func heartbeat(_ daemon: DaemonStatus) async throws {
        try await transaction { db in
            try await db.run("DELETE FROM daemon WHERE owner = \(daemon.owner.rawValue) OR \"lastSeen\" < \(Date(timeIntervalSinceNow: -86400))")
            try await db.insert(daemon, into: "daemon")
        }
    }

    func daemons(seenSince since: Date) async throws -> [DaemonStatus] {
        try await reading { db in
            try await db.fetchAll(DaemonStatus.self, "SELECT to_jsonb(d)::text FROM daemon d WHERE \"lastSeen\" >= \(since) ORDER BY node, http")
        }
    }
}

/// Rows as JSON: reading `to_jsonb(row)::text`, writing through `jsonb_populate_record`.
extension PostgresConnection {
    private static let logger = PostgresCatalog.quiet

    /// Runs a statement, discarding rows.
    func run(_ query: PostgresQuery) async throws {
        _ = try await self.query(query, logger: Self.logger).collect()
    }

    /// Rows whose one column is a value's JSON.
    func fetchAll<T: Decodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> [T] {
        var values: [T] = []
        for try await text in try await self.query(query, logger: Self.logger).decode(String.self) {
            values.append(try PostgresJSON.decoder.decode(T.self, from: Data(text.utf8)))
        }
        return values
    }

    func fetchOne<T: Decodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> T? {
        try await fetchAll(type, query).first
    }

    /// The first column of every row.
    func column<T: PostgresDecodable & Sendable>(_ type: T.Type, _ query: PostgresQuery) async throws -> [T] {
        var values: [T] = []
        for try await value in try await self.query(query, logger: Self.logger).decode(T.self) { values.append(value) }
        return values
    }

    /// Inserts a value as a row of `table` (its properties are the columns).
    func insert<T: Encodable>(_ value: T, into table: String) async throws {
        let columns = PostgresJSON.columns(of: value)
        try await run("""
            INSERT INTO "\(unescaped: table)" (\(unescaped: columns))
            SELECT \(unescaped: columns) FROM jsonb_populate_record(NULL::"\(unescaped: table)", \(try PostgresJSON.text(value))::jsonb)
            """)
    }

    /// Writes every property of a value over the row of `table` whose id is `id`.
    func update<T: Encodable & Identifiable>(_ value: T, in table: String) async throws where T.ID: CustomStringConvertible {
        let columns = PostgresJSON.columns(of: value)
        try await run("""
            UPDATE "\(unescaped: table)" SET (\(unescaped: columns)) =
            (SELECT \(unescaped: columns) FROM jsonb_populate_record(NULL::"\(unescaped: table)", \(try PostgresJSON.text(value))::jsonb))
            WHERE id = \(value.id.description)
            """)
    }

    /// Wakes the idle workers of every daemon once this transaction commits.
    func notifyWork() async throws {
        try await run("SELECT pg_notify(\(PostgresCatalog.workChannel), '')")
    }
}

/// The JSON of stored values: dates as ISO 8601 with fractions (PostgreSQL gives up to
/// microseconds and its offset).
enum PostgresJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, encoder in
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            var container = encoder.singleValueContainer()
            try container.encode(formatter.string(from: date))
        }
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { decoder in
            let container = try decoder.singleValueContainer()
            let text = try container.decode(String.self)
            guard let date = date(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a timestamp: \(text)")
            }
            return date
        }
        return decoder
    }()

    /// `2026-11-30T03:15:04.123456+00:00`, the fraction optional and of any length.
    static func date(_ text: String) -> Date? {
        var whole = Substring(text), fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digits = text[text.index(after: dot)...].prefix { $0.isASCII && $0.isNumber }
            fraction = Double("0." + digits) ?? 0
            whole = text[..<dot] + text[digits.endIndex...]
        }
        return ISO8601DateFormatter().date(from: String(whole))?.addingTimeInterval(fraction)
    }

    static func text<T: Encodable>(_ value: T) throws -> String {
        String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// The value's stored properties as a quoted column list.
    static func columns<T>(of value: T) -> String {
        Mirror(reflecting: value).children.compactMap(\.label).map { "\"\($0)\"" }.joined(separator: ", ")
    }
}
