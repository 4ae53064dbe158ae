import Foundation

/// A JSON number exactly as sent, whatever its length or exponent: a significand and a power of ten
/// (`19.99` is 1999 × 10⁻²). No digit is rounded away, so a field that holds cents or whole numbers
/// can tell an exact value from one that only looks like it after rounding. Kept canonical (a whole
/// number within 64 bits has exponent 0, any other has no trailing zeros) so equal numbers are equal.
public struct JSONNumber: Sendable, Hashable {
    private enum Significand: Sendable, Hashable {
        case small(Int64)
        /// More digits than 64 bits hold, most significant first, no leading or trailing zeros.
        case digits(negative: Bool, String)
    }

    private let significand: Significand
    private let exponent: Int

    /// Exponents are kept within this bound: beyond it a number is far out of every field's range
    /// either way, and the arithmetic on exponents can never overflow.
    private static let exponentLimit = 1 << 40

    private init(_ significand: Significand, exponent: Int) {
        self.significand = significand
        self.exponent = exponent
    }

    public init(_ value: Int64) {
        self.init(.small(value), exponent: 0)
    }

    /// Reads JSON number syntax (RFC 8259); nil for anything else.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard let number = bytes.withUnsafeBytes({ JSONNumber(validating: $0) }) else { return nil }
        self = number
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, the whole of `bytes`.
    private init?(validating bytes: UnsafeRawBufferPointer) {
        var index = 0
        func digits() -> Range<Int> {
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            return start..<index
        }
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let whole = digits()
        guard !whole.isEmpty, whole.count == 1 || bytes[whole.lowerBound] != UInt8(ascii: "0") else { return nil }
        var fraction = index..<index
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            fraction = digits()
            guard !fraction.isEmpty else { return nil }
        }
        var exponent = index..<index
        var exponentNegative = false
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            exponent = digits()
            guard !exponent.isEmpty else { return nil }
        }
        guard index == bytes.count else { return nil }
        self.init(negative: negative, whole: bytes[whole], fraction: bytes[fraction],
                  exponent: bytes[exponent], exponentNegative: exponentNegative)
    }

    /// The number with the given parts, each a run of ASCII digits already checked against the grammar.
    init(negative: Bool, whole: Slice<UnsafeRawBufferPointer>, fraction: Slice<UnsafeRawBufferPointer>,
         exponent exponentDigits: Slice<UnsafeRawBufferPointer>, exponentNegative: Bool) {
        var exponent = 0
        for byte in exponentDigits {
            exponent = Swift.min(exponent * 10 + Int(byte - UInt8(ascii: "0")), Self.exponentLimit)
        }
        exponent = (exponentNegative ? -exponent : exponent) - fraction.count
        // Most numbers (prices, quantities) have few digits: read them without building an array.
        if whole.count + fraction.count <= 18 {
            var magnitude = fraction.reduce(whole.reduce(0, Self.appending), Self.appending)
            guard magnitude != 0 else {
                self.init(0)
                return
            }
            while magnitude % 10 == 0 {
                magnitude /= 10
                exponent += 1
            }
            self.init(significand: negative ? -magnitude : magnitude, exponent: exponent)
            return
        }
        var significant = Array(whole) + Array(fraction)
        significant.removeFirst(significant.prefix { $0 == UInt8(ascii: "0") }.count)
        let trailingZeros = significant.reversed().prefix { $0 == UInt8(ascii: "0") }.count
        significant.removeLast(trailingZeros)
        exponent += trailingZeros
        if significant.isEmpty {
            self.init(0)
        } else if significant.count <= 18 {
            let magnitude = significant.reduce(0, Self.appending)
            self.init(significand: negative ? -magnitude : magnitude, exponent: exponent)
        } else if exponent >= 0, case .exact(let whole) = Self.scaled(negative: negative, significant, by: exponent) {
            self.init(whole)
        } else {
            self.init(.digits(negative: negative, String(decoding: significant, as: UTF8.self)), exponent: exponent)
        }
    }

    /// `value` with the ASCII `digit` appended: the caller keeps it within 18 digits.
    static func appending(_ value: Int64, digit: UInt8) -> Int64 {
        value * 10 + Int64(digit - UInt8(ascii: "0"))
    }

    /// A short significand (no trailing zeros) times 10^exponent, kept canonical.
    private init(significand: Int64, exponent: Int) {
        if exponent > 0, case .exact(let whole) = Self.scaled(significand, by: exponent) {
            self.init(whole)
        } else {
            self.init(.small(significand), exponent: exponent)
        }
    }

    /// The number times 10^`power` as a 64-bit integer, when it is one.
    public enum Scaled: Equatable, Sendable {
        case exact(Int64)
        /// Not whole: `truncated` is its whole part (toward zero), when that fits in 64 bits.
        case fraction(truncated: Int64)
        /// Whole or not, beyond 64 bits.
        case outOfRange(negative: Bool)
    }

    /// The number times 10^`power` (`power` ≥ 0): 2 reads an amount as cents, 0 an integer.
    public func scaled(by power: Int) -> Scaled {
        switch significand {
        case .small(let value): Self.scaled(value, by: exponent + power)
        case .digits(let negative, let digits): Self.scaled(negative: negative, Array(digits.utf8), by: exponent + power)
        }
    }

    private static func scaled(_ value: Int64, by power: Int) -> Scaled {
        if power < 0 {
            // No trailing zeros: a negative power always leaves a fraction.
            return .fraction(truncated: power < -18 ? 0 : value / tenToThe(-power))
        }
        guard power <= 18 else { return value == 0 ? .exact(0) : .outOfRange(negative: value < 0) }
        let (product, overflow) = value.multipliedReportingOverflow(by: tenToThe(power))
        return overflow ? .outOfRange(negative: value < 0) : .exact(product)
    }

    private static func scaled(negative: Bool, _ digits: [UInt8], by power: Int) -> Scaled {
        let wholeDigits = digits.count + power
        guard wholeDigits <= 19 else { return .outOfRange(negative: negative) }
        var whole: Int64 = 0
        for index in 0..<Swift.max(wholeDigits, 0) {
            let digit = index < digits.count ? Int64(digits[index] - UInt8(ascii: "0")) : 0
            let (shifted, overflowA) = whole.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = shifted.addingReportingOverflow(negative ? -digit : digit)
            guard !overflowA, !overflowB else { return .outOfRange(negative: negative) }
            whole = next
        }
        return power >= 0 ? .exact(whole) : .fraction(truncated: whole)
    }

    private static func tenToThe(_ power: Int) -> Int64 {
        (0..<power).reduce(Int64(1)) { value, _ in value * 10 }
    }

    /// The value as a `Decimal`, rounded to its 38 digits: for documents' numbers (bounds in the
    /// OpenAPI document), never for what a client sends.
    public var decimal: Decimal? {
        Decimal(string: description, locale: Locale(identifier: "en_US_POSIX"))
    }
}

extension JSONNumber: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int64) {
        self.init(value)
    }
}

extension JSONNumber: CustomStringConvertible {
    /// JSON number text for the exact value: `19.99`, `42`, `1e128`.
    public var description: String {
        let (sign, digits) = switch significand {
        case .small(let value): (value < 0 ? "-" : "", String(value.magnitude))
        case .digits(let negative, let digits): (negative ? "-" : "", digits)
        }
        let zeros = { (count: Int) in String(repeating: "0", count: count) }
        switch exponent {
        case 0:
            return sign + digits
        case 1...30:
            return sign + digits + zeros(exponent)
        case -30 ..< 0 where digits.count > -exponent:
            return sign + digits.dropLast(-exponent) + "." + digits.suffix(-exponent)
        case -30 ..< 0:
            return sign + "0." + zeros(-exponent - digits.count) + digits
        default:
            return sign + digits + "e\(exponent)"
        }
    }
}
