import Foundation

/// Who holds a task's lease: one daemon process, `host:pid:nonce`. The nonce tells a
/// daemon from an earlier one of the same pid (a restarted container).
public struct LeaseOwner: StoredAsText, Hashable, Sendable, CustomStringConvertible {
    public let host: String
    public let pid: Int32
    public let nonce: String

    public init(host: String, pid: Int32, nonce: String) {
        self.host = host
        self.pid = pid
        self.nonce = nonce
    }

    /// This process, with a fresh nonce.
    public static func thisProcess() -> LeaseOwner {
        LeaseOwner(host: ProcessInfo.processInfo.hostName, pid: getpid(), nonce: String(CatalogID.make().prefix(6)))
    }

    /// Nil for a text that is not `host:pid:nonce`.
    public init?(rawValue: String) {
        let parts = rawValue.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, let pid = Int32(parts[1]), !parts[2].isEmpty else { return nil }
        self.init(host: String(parts[0]), pid: pid, nonce: String(parts[2]))
    }

    public var rawValue: String { "\(host):\(pid):\(nonce)" }
    public var description: String { rawValue }

    /// Whether it names a process of this host that no longer exists (a daemon killed here).
    public var isDeadProcessOfThisHost: Bool {
        guard host == ProcessInfo.processInfo.hostName, pid != getpid() else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
