import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Who a request comes from, for rate limits (SPEC §12): the socket's peer, or — when the
/// peer is a trusted proxy (`--trust-proxy CIDR`) — the last address of `X-Forwarded-For`
/// that is not itself a trusted proxy.
public struct ClientAddresses: Sendable {
    let trusted: [AddressRange]

    public init(trustedProxies: [AddressRange] = []) { trusted = trustedProxies }

    func address(of request: Request, peer: SocketAddress?) -> String {
        let peerAddress = peer?.ipAddress ?? "unknown"
        guard !trusted.isEmpty, isTrusted(peerAddress) else { return peerAddress }
        let hops = request.headers[values: .xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        for hop in hops.reversed() {
            guard let address = AddressRange.Address(hop) else { return peerAddress }  // a forged or garbled hop: the peer
            if !trusted.contains(where: { $0.contains(address) }) { return hop }
        }
        return peerAddress
    }

    private func isTrusted(_ address: String) -> Bool {
        guard let parsed = AddressRange.Address(address) else { return false }
        return trusted.contains { $0.contains(parsed) }
    }
}

/// An IPv4 or IPv6 network (`10.0.0.0/8`, `2001:db8::/32`, or one address).
public struct AddressRange: Sendable, Equatable, CustomStringConvertible {
    /// An address as its bytes (4 or 16).
    struct Address: Equatable {
        let bytes: [UInt8]

        init?(_ text: String) {
            var v4 = in_addr(), v6 = in6_addr()
            if inet_pton(AF_INET, text, &v4) == 1 {
                bytes = withUnsafeBytes(of: &v4) { Array($0) }
            } else if inet_pton(AF_INET6, text, &v6) == 1 {
                let all = withUnsafeBytes(of: &v6) { Array($0) }
                // An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is its IPv4 address.
                bytes = all.prefix(12) == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff] ? Array(all.suffix(4)) : all
            } else {
                return nil
            }
        }
    }

    let network: [UInt8]
    let prefixLength: Int
    public let description: String

    /// Reads `CIDR`; nil when it is not an address with an optional prefix length that fits it.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = Address(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        let length = parts.count == 2 ? Int(parts[1]) : bits
        guard let length, (0...bits).contains(length) else { return nil }
        network = address.bytes
        prefixLength = length
        description = text
    }

    func contains(_ address: Address) -> Bool {
        guard address.bytes.count == network.count else { return false }
        var left = prefixLength
        for (a, b) in zip(address.bytes, network) where left > 0 {
            let mask: UInt8 = left >= 8 ? 0xff : ~(0xff >> UInt8(left))
            if a & mask != b & mask { return false }
            left -= 8
        }
        return true
    }
}

extension HTTPField.Name {
    static let xForwardedFor = Self("X-Forwarded-For")!
}
