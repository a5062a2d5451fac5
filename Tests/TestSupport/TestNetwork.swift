import Foundation

/// Simulated hosts for the tests: network namespaces joined by a bridge in the test's own
/// namespace (`10.<n>.0.1`), each host at `10.<n>.0.<10+i>` (root and `ip` needed; CI runs
/// as root). Every process of a host can be killed at once, as a power cut would.
public final class TestNetwork: @unchecked Sendable {
    public let hosts: [String]
    private let bridge: String
    private let subnet: Int

    /// Makes `count` hosts.
    public init(hosts count: Int) throws {
        subnet = Int.random(in: 100...250)
        let tag = String(UUID().uuidString.prefix(4)).lowercased()
        bridge = "svbr\(tag)"
        hosts = (0..<count).map { "sv\(tag)h\($0)" }
        try Self.ip("link", "add", bridge, "type", "bridge")
        try Self.ip("addr", "add", "10.\(subnet).0.1/24", "dev", bridge)
        try Self.ip("link", "set", bridge, "up")
        for (index, host) in hosts.enumerated() {
            let outside = "\(host)v"
            try Self.ip("netns", "add", host)
            try Self.ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", host)
            try Self.ip("link", "set", outside, "master", bridge, "up")
            try Self.ip("-n", host, "addr", "add", "\(address(of: index))/24", "dev", "eth0")
            try Self.ip("-n", host, "link", "set", "eth0", "up")
            try Self.ip("-n", host, "link", "set", "lo", "up")
        }
    }

    /// Host `index`'s address.
    public func address(of index: Int) -> String { "10.\(subnet).0.\(10 + index)" }

    /// `ip netns exec HOST` before a command, to run it on that host.
    public func prefix(_ index: Int) -> [String] { ["/usr/sbin/ip", "netns", "exec", hosts[index]] }

    /// Kills every process of host `index` (SIGKILL), as if it lost power.
    public func killEverything(on index: Int) throws {
        let pids = try runProcess(URL(fileURLWithPath: "/usr/sbin/ip"), ["netns", "pids", hosts[index]]).stdout
            .split(separator: "\n").compactMap { Int32($0) }
        for pid in pids { kill(pid, SIGKILL) }
    }

    /// Removes the hosts (their remaining processes killed) and the bridge.
    public func tearDown() {
        for index in hosts.indices {
            try? killEverything(on: index)
            try? Self.ip("netns", "del", hosts[index])
        }
        try? Self.ip("link", "del", bridge)
    }

    deinit { tearDown() }

    private static func ip(_ arguments: String...) throws {
        let output = try runProcess(URL(fileURLWithPath: "/usr/sbin/ip"), arguments)
        guard output.status == 0 else {
            throw PostgresServerError(description: "ip \(arguments.joined(separator: " ")): \(output.stderr)")
        }
    }
}
