import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// An IP address or a CIDR range of them (`10.0.0.1`, `10.0.0.0/8`, `fd00::/8`), as `TRUSTED_PROXIES` lists them.
public struct IPRange: Sendable, Equatable {
    let network: [UInt8]
    let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let network = Self.bytes(of: String(parts[0])) else { return nil }
        let bits = network.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        self.network = network
    }

    func contains(_ address: String) -> Bool {
        guard let bytes = Self.bytes(of: address), bytes.count == network.count else { return false }
        var left = prefixLength
        for (byte, networkByte) in zip(bytes, network) where left > 0 {
            let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - min(8, left)))
            guard byte & mask == networkByte & mask else { return false }
            left -= 8
        }
        return true
    }

    /// 4 bytes for IPv4 (also when mapped into IPv6, as a dual-stack socket reports it), 16 for IPv6;
    /// nil for anything else.
    static func bytes(of address: String) -> [UInt8]? {
        switch try? SocketAddress(ipAddress: address, port: 0) {
        case .v4(let ip):
            return withUnsafeBytes(of: ip.address.sin_addr) { Array($0) }
        case .v6(let ip):
            let bytes = withUnsafeBytes(of: ip.address.sin6_addr) { Array($0) }
            let mappedPrefix: [UInt8] = Array(repeating: 0, count: 10) + [0xFF, 0xFF]
            return bytes.starts(with: mappedPrefix) ? Array(bytes.suffix(4)) : bytes
        case .unixDomainSocket, nil:
            return nil
        }
    }
}

/// The address a request came from, for limits per client: the socket's peer, unless the peer is a
/// proxy listed in `TRUSTED_PROXIES`; then the right-most `X-Forwarded-For` entry that no trusted
/// proxy added (entries further left are whatever the client chose to send).
final class ClientAddresses: Sendable {
    let trustedProxies: [IPRange]
    private let warned = NIOLockedValueBox(false)

    init(trustedProxies: [IPRange]) {
        self.trustedProxies = trustedProxies
    }

    func address(peer: String?, forwardedFor: String?, logger: Logger) -> String {
        let peer = peer ?? "unknown"
        guard let forwardedFor else { return peer }
        guard isTrusted(peer) else {
            // Once per process: behind an unlisted load balancer every request would say it.
            if warned.withLockedValue({ warned in defer { warned = true }; return !warned }) {
                logger.warning("X-Forwarded-For from \(peer), which TRUSTED_PROXIES does not list, is ignored; behind a proxy or load balancer, list it there, or every client shares its limits.")
            }
            return peer
        }
        let hops = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !isTrusted($0) } ?? hops.first ?? peer
    }

    /// Whether the socket's peer is a proxy listed in `TRUSTED_PROXIES`.
    func isTrusted(peer: String?) -> Bool { peer.map(isTrusted) ?? false }

    private func isTrusted(_ address: String) -> Bool {
        trustedProxies.contains { $0.contains(address) }
    }
}

/// A token bucket per client address: `perMinute` attempts at once, refilled at `perMinute` a minute.
/// Once there are many buckets, those that have filled up again are dropped, at most once a second,
/// so memory stays bounded by the addresses seen within about a minute.
final class AttemptLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Date
    }

    private struct State {
        var buckets: [String: Bucket] = [:]
        var pruned = Date.distantPast
    }

    let perMinute: Int
    private let now: @Sendable () -> Date
    private let state = NIOLockedValueBox(State())
    private static let pruneAbove = 10_000

    init(perMinute: Int, now: @escaping @Sendable () -> Date) {
        self.perMinute = perMinute
        self.now = now
    }

    /// Takes one attempt for `address`, or throws 429 saying when the next is available.
    func admit(_ address: String) throws(AppError) {
        let time = now()
        let capacity = Double(perMinute)
        let perSecond = capacity / 60
        let wait: Double? = state.withLockedValue { state in
            if state.buckets.count >= Self.pruneAbove, time.timeIntervalSince(state.pruned) >= 1 {
                state.buckets = state.buckets.filter { $0.value.tokens + time.timeIntervalSince($0.value.updated) * perSecond < capacity }
                state.pruned = time
            }
            var bucket = state.buckets[address] ?? Bucket(tokens: capacity, updated: time)
            bucket.tokens = min(capacity, bucket.tokens + max(0, time.timeIntervalSince(bucket.updated)) * perSecond)
            bucket.updated = time
            defer { state.buckets[address] = bucket }
            guard bucket.tokens >= 1 else { return (1 - bucket.tokens) / perSecond }
            bucket.tokens -= 1
            return nil
        }
        if let wait {
            throw .tooManyRequests("Too many sign-in attempts from this address; try again later.",
                                   retryAfter: max(1, Int(wait.rounded(.up))))
        }
    }
}
