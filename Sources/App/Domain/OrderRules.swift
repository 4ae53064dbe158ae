import Foundation

/// What an order may ask for (how many lines, how much of each, on which day), and what may be paid,
/// refunded and shipped on it.
enum OrderRules {
    static let lineCount = 1...100
    static let lineQuantity: ClosedRange<Int64> = 1...10_000
    /// A payment is of something; a refund may be of nothing when it only returns units to stock.
    /// Both are bounded by the order (`OrderProgress`); these bounds only keep sums exact.
    static let paymentAmount = Money(cents: 1)...Money(cents: Int64.max / 4)
    static let refundAmount = Money.zero...Money(cents: Int64.max / 4)
    static let paymentMethodProblem = "must be one of " + PaymentMethod.allCases.map(\.rawValue).joined(separator: ", ")

    /// `http(s)://host[:port][/?#…]`: a host of ASCII letters, digits, dots and hyphens, then printable
    /// ASCII; at most 2,048 characters. Exactly the document's `TrackingUrl` pattern.
    static func trackingURL(_ value: String) -> String? {
        let problem = "must be an http:// or https:// URL of printable ASCII (host: letters, digits, dots, hyphens), at most 2048 characters"
        guard value.unicodeScalars.count <= 2048 else { return problem }
        var rest = Substring(value)
        guard let scheme = ["https://", "http://"].first(where: { rest.hasPrefix($0) }) else { return problem }
        rest = rest.dropFirst(scheme.count)
        let host = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "-") }
        guard !host.isEmpty else { return problem }
        rest = rest.dropFirst(host.count)
        if rest.first == ":" {
            let port = rest.dropFirst().prefix { $0.isASCII && $0.isNumber }
            guard (1...5).contains(port.count) else { return problem }
            rest = rest.dropFirst(1 + port.count)
        }
        if let first = rest.first {
            guard "/?#".contains(first), rest.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) }) else { return problem }
        }
        return nil
    }

    /// `YYYY-MM-DD` naming a real day of the Gregorian calendar.
    static func date(_ value: String) -> String? {
        let invalid = "must be a real calendar date written YYYY-MM-DD"
        let parts = value.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              year >= 1, (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return invalid }
        return nil
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
