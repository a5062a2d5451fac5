import Foundation
import TestSupport

/// `Peers/webhook_receiver.py` on a port of its own: a real HTTP receiver that checks every
/// signature, refuses its first requests if asked, and can go down and come back.
final class WebhookReceiver: @unchecked Sendable {
    let port = Int.random(in: 20_000...60_000)
    let secret: URL
    let log: URL
    private var process: Process?

    var url: String { "http://127.0.0.1:\(port)/hook" }

    init(folder: URL, refuse: Int = 0) throws {
        secret = folder.appendingPathComponent("webhook.key")
        log = folder.appendingPathComponent("received.jsonl")
        try Data("a-shared-secret-\(UUID().uuidString)\n".utf8).write(to: secret)
        try start(refuse: refuse)
    }

    func start(refuse: Int = 0) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [Fixtures.repository.appendingPathComponent("Tests/EndToEndTests/Peers/webhook_receiver.py").path,
                             "--port", "\(port)", "--secret", secret.path, "--log", log.path, "--refuse", "\(refuse)"]
        try process.run()
        self.process = process
        try waitUntil(timeout: 10) { Socket.connects(to: port) }
    }

    /// Goes down at once, as a crashed receiver does.
    func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitForExit(timeout: 60)
    }

    deinit { stop() }

    /// Every request received, in order.
    func received() -> [[String: Any]] {
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The events accepted (answered 2xx with a valid signature), in order.
    func accepted() -> [(type: String, mediaId: String)] {
        received().filter { $0["status"] as? Int == 204 && $0["valid"] as? Bool == true }
            .map { ($0["type"] as? String ?? "", $0["mediaId"] as? String ?? "") }
    }
}

enum Socket {
    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func connects(to port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
