import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A throwaway PostgreSQL server from Debian's `postgresql` package for the tests: a new
/// cluster under a temporary folder, run as the `postgres` user (trust authentication) on
/// a free port, optionally inside a network namespace; stopped when the test process exits.
public final class PostgresServer: Sendable {
    /// The server every store-neutral test shares (each test takes a database of its own).
    public static let shared: PostgresServer = {
        do {
            let server = try PostgresServer(listen: "127.0.0.1")
            atexit { PostgresServer.shared.stop() }
            return server
        } catch {
            fatalError("cannot start a PostgreSQL test server (is Debian's postgresql package installed?): \(error)")
        }
    }()

    public let host: String
    public let port: Int
    public let folder: URL
    private let namespace: String?
    private let listen: String

    private let offersTLS: Bool

    /// Creates and starts a cluster listening on `listen` (comma-separated addresses),
    /// inside network namespace `namespace` when given, offering TLS when `tls`.
    public init(listen: String, namespace: String? = nil, port: Int? = nil, tls: Bool = false) throws {
        host = listen.split(separator: ",").first.map(String.init) ?? listen
        self.port = try port ?? Self.freePort()
        self.namespace = namespace
        self.listen = listen
        offersTLS = tls
        folder = try Fixtures.temporaryFolder("postgres")
        guard let postgres = getpwnam("postgres"), chown(folder.path, postgres.pointee.pw_uid, postgres.pointee.pw_gid) == 0 else {
            throw PostgresServerError(description: "no postgres user (install Debian's postgresql package)")
        }
        try run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8", "-N"])
        // Daemons on other (simulated) hosts connect too.
        let rules = try FileHandle(forWritingTo: URL(fileURLWithPath: data + "/pg_hba.conf"))
        rules.seekToEndOfFile()
        rules.write(Data("host all all 0.0.0.0/0 trust\n".utf8))
        try rules.close()
        if tls { try Self.offerTLS(data: data, owner: postgres.pointee) }
        try start()
    }

    /// Starts the server (again).
    public func start() throws {
        try run("pg_ctl", ["-D", data, "-l", folder.appendingPathComponent("server.log").path, "-w", "-t", "60", "-o",
                           "-p \(port) -k \(folder.path) -c listen_addresses=\(listen) -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200",
                           "start"])
    }

    private var data: String { folder.appendingPathComponent("data").path }

    /// The server's self-signed certificate (its own authority; names localhost and
    /// 127.0.0.1), when it was started with TLS.
    public var certificate: URL? { offersTLS ? URL(fileURLWithPath: data + "/server.crt") : nil }

    /// Makes a self-signed certificate (openssl) and turns TLS on in the cluster at `data`.
    private static func offerTLS(data: String, owner: passwd) throws {
        let certificate = data + "/server.crt", key = data + "/server.key"
        let made = try runProcess(URL(fileURLWithPath: "/usr/bin/openssl"), [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=streamvault-test",
            "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", certificate,
        ])
        guard made.status == 0, chown(certificate, owner.pw_uid, owner.pw_gid) == 0, chown(key, owner.pw_uid, owner.pw_gid) == 0,
              chmod(key, 0o600) == 0 else {
            throw PostgresServerError(description: "cannot make a certificate: \(made.stderr)")
        }
        let settings = try FileHandle(forWritingTo: URL(fileURLWithPath: data + "/postgresql.conf"))
        settings.seekToEndOfFile()
        settings.write(Data("ssl = on\nssl_cert_file = '\(certificate)'\nssl_key_file = '\(key)'\n".utf8))
        try settings.close()
    }

    /// A new empty database; its `postgres://` URL.
    public func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try run("psql", ["-h", folder.path, "-p", String(port), "-U", "postgres", "-q", "-c", "CREATE DATABASE \(name)"])
        return url(database: name)
    }

    /// Runs one SQL statement in `database` (with psql).
    public func execute(_ sql: String, database: String) throws {
        try run("psql", ["-h", folder.path, "-p", String(port), "-U", "postgres", "-q", "-d", database, "-c", sql])
    }

    /// Runs one query in `database` (with psql); its rows, fields separated by `|`.
    public func query(_ sql: String, database: String) throws -> String {
        let output = folder.appendingPathComponent("query-\(UUID().uuidString).out")
        try run("psql", ["-h", folder.path, "-p", String(port), "-U", "postgres", "-q", "-At", "-d", database, "-o", output.path, "-c", sql])
        defer { try? FileManager.default.removeItem(at: output) }
        return try String(contentsOf: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public func url(database: String) -> String { "postgres://postgres@\(host):\(port)/\(database)" }

    /// Stops the server: at once (SIGQUIT) when its folder goes too; when `keepingData`,
    /// closing every connection (SIGINT, "fast": this test server does not make its
    /// commits durable, so a crash would lose the last ones).
    public func stop(keepingData: Bool = false) {
        if let text = try? String(contentsOfFile: data + "/postmaster.pid", encoding: .utf8),
           let pid = text.split(separator: "\n").first.flatMap({ Int32($0) }) {
            kill(pid, keepingData ? SIGINT : SIGQUIT)
            for _ in 0..<250 where kill(pid, 0) == 0 { usleep(20_000) }
        }
        if !keepingData { try? FileManager.default.removeItem(at: folder) }
    }

    /// Runs a PostgreSQL program as the `postgres` user (in the namespace, if any), its
    /// output to a file. Spawned and reaped here rather than by Foundation's `Process`,
    /// which does not always see the end of a program whose child (the server) lives on.
    private func run(_ program: String, _ arguments: [String]) throws {
        var command = ["runuser", "-u", "postgres", "--", Self.binary(program)] + arguments
        if let namespace { command = ["ip", "netns", "exec", namespace] + command }
        let log = folder.appendingPathComponent("\(program).out").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else this process has open: a server that lives on would otherwise hold
        // the pipes of programs other tests run meanwhile, whose readers then never see EOF.
        guard Self.addCloseFrom(&actions, 3) == 0 else { throw PostgresServerError(description: "posix_spawn: closefrom") }
        let argv = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawnp(&pid, command[0], &actions, nil, argv, environ) == 0 else {
            throw PostgresServerError(description: "cannot start \(command[0])")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw PostgresServerError(description: "\(program) failed (status \(status)): \(output)")
        }
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34+), which Swift's Glibc
    /// module does not declare.
    private static let addCloseFrom = unsafeBitCast(
        dlsym(nil, "posix_spawn_file_actions_addclosefrom_np"),
        to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)

    /// The newest installed PostgreSQL's program.
    static func binary(_ name: String) -> String {
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib/postgresql")) ?? []
        guard let newest = versions.compactMap(Int.init).max() else { return name }
        return "/usr/lib/postgresql/\(newest)/bin/\(name)"
    }

    /// A TCP port nothing listens on now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw PostgresServerError(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

public struct PostgresServerError: Error, CustomStringConvertible {
    public let description: String

    public init(description: String) { self.description = description }
}
