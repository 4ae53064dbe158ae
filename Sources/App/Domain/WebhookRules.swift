import Foundation

/// What an endpoint registration may say, and where deliveries may go.
enum WebhookRules {
    static let urlLength = 1...2048
    static let descriptionRule = TextRule.line(1...500)

    /// An absolute `https://` URL (`http://` too when `insecure`) of printable ASCII, at most 2,048 characters.
    static func urlProblem(_ value: String, insecure: Bool) -> String? {
        guard urlLength.contains(value.unicodeScalars.count) else { return "must be at most 2048 characters" }
        guard WebhookURL(value, insecure: insecure) != nil else {
            return insecure ? "must be an absolute http:// or https:// URL" : "must be an absolute https:// URL"
        }
        return nil
    }

    static func eventsProblem(_ events: [String]) -> String? {
        if events.isEmpty { return "must name at least one event, or \"*\"" }
        if events.contains("*") { return events == ["*"] ? nil : "must be [\"*\"] alone or a list of event names" }
        let unknown = events.filter { WebhookEventType(rawValue: $0).map { !WebhookEventType.subscribable.contains($0) } ?? true }
        guard unknown.isEmpty else {
            return "names unknown events (\(unknown.joined(separator: ", "))); known: "
                + WebhookEventType.subscribable.map(\.rawValue).joined(separator: ", ")
        }
        return Set(events).count == events.count ? nil : "must not name an event twice"
    }
}

/// An endpoint's URL, taken apart: a scheme the service may use, and a host to check.
struct WebhookURL: Sendable, Equatable {
    var text: String
    var isHTTPS: Bool
    /// A name, an IPv4 address, or an IPv6 address without its brackets.
    var host: String

    init?(_ text: String, insecure: Bool) {
        guard text.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }),
              let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "https" || (insecure && scheme == "http"),
              let host = components.host, !host.isEmpty, components.user == nil, components.password == nil
        else { return nil }
        self.text = text
        isHTTPS = scheme == "https"
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
    }
}

/// Addresses a delivery may connect to: none in loopback, private, link-local, multicast,
/// unique-local or otherwise reserved ranges, so an endpoint cannot make the service reach inside the
/// network it runs in.
enum PublicAddresses {
    private static let refused = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8", "64:ff9b::/96", "2001:db8::/32",
    ].compactMap(IPRange.init)

    /// False for an address in a refused range, and for anything that is not an address.
    static func allows(_ address: String) -> Bool {
        guard IPRange.bytes(of: address) != nil else { return false }
        return !refused.contains { $0.contains(address) }
    }
}
