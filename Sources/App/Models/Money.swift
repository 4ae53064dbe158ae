import Foundation

/// An amount of money in integer minor units (cents). Binary floating point never holds an amount:
/// JSON numbers are read as exact decimals and written from the integer.
public struct Money: Hashable, Comparable, Sendable {
    public let cents: Int64

    public init(cents: Int64) {
        self.cents = cents
    }

    /// Reads an exact decimal amount; nil when it has more than two decimal places or does not fit.
    public init?(exactly decimal: Decimal) {
        guard let cents = Int64(exactDecimal: decimal * 100) else { return nil }
        self.cents = cents
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents + rhs.cents) }
    public static func * (lhs: Money, rhs: Int64) -> Money { Money(cents: lhs.cents * rhs) }
    public static let zero = Money(cents: 0)
}

extension Money: CustomStringConvertible {
    /// The shortest exact decimal: 4028 → "40.28", 10 → "0.1", 100 → "1".
    public var description: String {
        let sign = cents < 0 ? "-" : ""
        let (whole, fraction) = cents.magnitude.quotientAndRemainder(dividingBy: 100)
        if fraction == 0 { return "\(sign)\(whole)" }
        if fraction % 10 == 0 { return "\(sign)\(whole).\(fraction / 10)" }
        return "\(sign)\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

extension Int64 {
    /// The decimal's value when it is a whole number that fits in 64 bits.
    init?(exactDecimal decimal: Decimal) {
        // A round trip: a fraction, or a whole number beyond 64 bits, does not come back equal. (Ten
        // times cheaper than rounding and reading the decimal's text.)
        let candidate = NSDecimalNumber(decimal: decimal).int64Value
        guard Decimal(candidate) == decimal else { return nil }
        self = candidate
    }
}
