import JSONSupport
import Foundation

/// An amount of money in integer minor units (cents). Binary floating point never holds an amount:
/// JSON numbers are read exactly (`JSONNumber`) and written from the integer.
public struct Money: Hashable, Comparable, Sendable {
    public let cents: Int64

    public init(cents: Int64) {
        self.cents = cents
    }

    /// Cents are hundredths: an amount times 10^scale is its cents.
    static let scale = 2

    /// Reads an exact amount; nil when it has more than two decimal places or does not fit.
    public init?(exactly number: JSONNumber) {
        guard case .exact(let cents) = number.scaled(by: Self.scale) else { return nil }
        self.cents = cents
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.cents < rhs.cents }
    public static func + (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents + rhs.cents) }
    public static func - (lhs: Money, rhs: Money) -> Money { Money(cents: lhs.cents - rhs.cents) }
    public static func * (lhs: Money, rhs: Int64) -> Money { Money(cents: lhs.cents * rhs) }
    public static let zero = Money(cents: 0)
}

extension Money: CustomStringConvertible {
    /// The shortest exact decimal, as in JSON: 4028 → "40.28", 10 → "0.1", 100 → "1".
    public var description: String { String(decoding: JSONWriter.bytes(of: self), as: UTF8.self) }
}

extension Money {
    /// With both minor digits, as people read amounts: 750 → "7.50", 100 → "1.00".
    public var withMinorDigits: String {
        let (whole, fraction) = cents.magnitude.quotientAndRemainder(dividingBy: 100)
        return "\(cents < 0 ? "-" : "")\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
