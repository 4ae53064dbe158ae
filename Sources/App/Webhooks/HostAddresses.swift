import Foundation
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// The addresses a host name stands for, looked up on NIO's blocking thread pool (a lookup can
/// wait for seconds on a slow resolver; it must not hold a task's thread).
enum HostAddresses {
    /// Every IPv4 and IPv6 address of `host`; the host itself when it is an address; empty when it
    /// does not resolve.
    static func of(_ host: String) async throws -> [String] {
        if IPRange.bytes(of: host) != nil { return [host] }
        return try await NIOThreadPool.singleton.runIfActive { lookUp(host) }
    }

    private static func lookUp(_ host: String) -> [String] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var first: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &first) == 0 else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [String] = []
        var node = first
        while let info = node?.pointee {
            if let text = text(of: info) { addresses.append(text) }
            node = info.ai_next
        }
        return Array(Set(addresses)).sorted()
    }

    private static func text(of info: addrinfo) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let written: UnsafePointer<CChar>? = switch info.ai_family {
        case AF_INET:
            info.ai_addr.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                var bytes = address.pointee.sin_addr
                return inet_ntop(AF_INET, &bytes, &buffer, socklen_t(buffer.count))
            }
        case AF_INET6:
            info.ai_addr.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                var bytes = address.pointee.sin6_addr
                return inet_ntop(AF_INET6, &bytes, &buffer, socklen_t(buffer.count))
            }
        default: nil
        }
        guard written != nil else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Where a delivery may go: the URL's scheme and every address its host stands for, checked at
/// registration and again before each attempt (a name may point elsewhere by then).
struct DestinationCheck: Sendable {
    let allowInsecure: Bool

    enum Verdict: Sendable {
        case refused(String)
        /// `pin`: the checked address a name must be connected to, so that a second lookup at
        /// connection time (DNS rebinding) cannot lead elsewhere; nil for an address in the URL itself,
        /// and when insecure destinations are allowed.
        case allowed(pin: AddressPin?)
    }

    /// Why a delivery to `url` may not be made, or nil.
    func problem(with url: String) async throws -> String? {
        if case .refused(let problem) = try await check(url) { return problem }
        return nil
    }

    func check(_ url: String) async throws -> Verdict {
        guard let parsed = WebhookURL(url, insecure: allowInsecure) else {
            return .refused(allowInsecure ? "must be an absolute http:// or https:// URL" : "must be an absolute https:// URL")
        }
        guard !allowInsecure else { return .allowed(pin: nil) }
        let addresses = try await HostAddresses.of(parsed.host)
        guard let first = addresses.first else { return .refused("has a host, \(parsed.host), that does not resolve") }
        let refused = addresses.filter { !PublicAddresses.allows($0) }
        guard refused.isEmpty else {
            return .refused("points at an address that is not public (\(refused.joined(separator: ", "))); deliveries go to the internet only")
        }
        return .allowed(pin: first == parsed.host ? nil : AddressPin(host: parsed.host, address: first))
    }
}

/// A host name and the address it was checked to stand for.
struct AddressPin: Sendable, Hashable {
    let host: String
    let address: String
}
