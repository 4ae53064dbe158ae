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

    /// An absolute http or https URL without spaces or control characters, at most 2,048 characters.
    static func trackingURL(_ value: String) -> String? {
        let problem = "must be an absolute http:// or https:// URL of at most 2048 characters"
        guard value.unicodeScalars.count <= 2048, value.hasPrefix("https://") || value.hasPrefix("http://"),
              value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F }),
              let url = URL(string: value), url.host?.isEmpty == false
        else { return problem }
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
