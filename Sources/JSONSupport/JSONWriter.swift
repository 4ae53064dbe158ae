import Foundation

/// Writes response bodies straight into JSON bytes, each DTO listing its fields once, in order.
/// Foundation's `JSONEncoder` builds a dictionary per object and formats dates through a general
/// formatter; on a product read it took a third of the request's CPU (benchmarks/README.md).
public struct JSONWriter {
    /// The document so far.
    @inlinable public var bytes: [UInt8] { storage }
    @usableFromInline var storage: [UInt8] = []
    /// Whether the next value or key follows another in the same object or array.
    @usableFromInline var needsComma = false

    @inlinable public init() {
        storage.reserveCapacity(256)
    }

    /// The bytes of one value, e.g. an order's response kept under its idempotency key.
    @inlinable public static func bytes(of value: some JSONWritable) -> [UInt8] {
        var writer = JSONWriter()
        value.write(to: &writer)
        return writer.storage
    }

    @inlinable public mutating func object(_ fields: (inout JSONWriter) -> Void) {
        open(UInt8(ascii: "{"))
        fields(&self)
        close(UInt8(ascii: "}"))
    }

    @inlinable public mutating func array<Items: Sequence>(_ items: Items) where Items.Element: JSONWritable {
        open(UInt8(ascii: "["))
        for item in items { item.write(to: &self) }
        close(UInt8(ascii: "]"))
    }

    @inlinable public mutating func field(_ key: String, _ value: some JSONWritable) {
        string(key)
        storage.append(UInt8(ascii: ":"))
        needsComma = false
        value.write(to: &self)
    }

    /// A bare value: a number, or text that is known to need no escaping.
    @inlinable public mutating func raw(_ text: String) {
        separate()
        storage.append(contentsOf: text.utf8)
        needsComma = true
    }

    @inlinable public mutating func string(_ text: String) {
        separate()
        storage.append(UInt8(ascii: "\""))
        var text = text
        // Most text (every key, most names) needs no escape: checked in one loop over its bytes and
        // copied whole. (`utf8.allSatisfy` called a closure for every byte.)
        text.withUTF8 { bytes in
            if Self.needsNoEscape(bytes) {
                storage.append(contentsOf: bytes)
            } else {
                appendEscaped(bytes)
            }
        }
        storage.append(UInt8(ascii: "\""))
        needsComma = true
    }

    @inlinable static func needsNoEscape(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            return false
        }
        return true
    }

    @inlinable mutating func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\""): storage.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): storage.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "\n"): storage.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case UInt8(ascii: "\r"): storage.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case UInt8(ascii: "\t"): storage.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20:
                storage.append(contentsOf: Array("\\u00".utf8))
                storage.append(Self.hexDigits[Int(byte >> 4)])
                storage.append(Self.hexDigits[Int(byte & 0xF)])
            default: storage.append(byte)
            }
        }
    }

    /// A whole number, digit by digit: no text made for it on the way.
    @inlinable public mutating func integer(_ value: Int64) {
        separate()
        if value < 0 { storage.append(UInt8(ascii: "-")) }
        digits(of: value.magnitude)
        needsComma = true
    }

    /// `value` divided by 10^`fractionDigits`, exactly and in the fewest digits: with 2, 4028 is
    /// 40.28, 10 is 0.1 and 100 is 1.
    @inlinable public mutating func decimal(_ value: Int64, fractionDigits: Int) {
        separate()
        if value < 0 { storage.append(UInt8(ascii: "-")) }
        var scale: UInt64 = 1
        for _ in 0..<fractionDigits { scale *= 10 }
        var (whole, fraction) = value.magnitude.quotientAndRemainder(dividingBy: scale)
        digits(of: whole)
        var width = fractionDigits
        while fraction > 0, fraction % 10 == 0 {
            fraction /= 10
            width -= 1
        }
        if fraction > 0 {
            storage.append(UInt8(ascii: "."))
            digits(of: fraction, width: width)
        }
        needsComma = true
    }

    /// ISO 8601 in UTC to the second, e.g. `"2026-11-26T09:30:00Z"`.
    @inlinable public mutating func timestamp(_ date: Date) {
        separate()
        let (year, month, day, time) = date.utcCivilTime
        storage.append(UInt8(ascii: "\""))
        if year < 0 { storage.append(UInt8(ascii: "-")) }
        digits(of: year.magnitude, width: 4)
        twoDigits(month, after: "-")
        twoDigits(day, after: "-")
        twoDigits(time / 3_600, after: "T")
        twoDigits(time % 3_600 / 60, after: ":")
        twoDigits(time % 60, after: ":")
        storage.append(UInt8(ascii: "Z"))
        storage.append(UInt8(ascii: "\""))
        needsComma = true
    }

    @inlinable mutating func twoDigits(_ value: Int64, after separator: Unicode.Scalar) {
        storage.append(UInt8(ascii: separator))
        digits(of: value.magnitude, width: 2)
    }

    /// `value` in decimal, zero-padded to `width` digits.
    @inlinable mutating func digits(of value: UInt64, width: Int = 1) {
        var count = 1
        var rest = value / 10
        while rest > 0 {
            count += 1
            rest /= 10
        }
        let end = storage.count + max(width, count)
        storage.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: max(width, count)))
        rest = value
        for index in stride(from: end - 1, through: end - count, by: -1) {
            storage[index] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }

    @inlinable mutating func separate() {
        if needsComma { storage.append(UInt8(ascii: ",")) }
    }

    @inlinable mutating func open(_ bracket: UInt8) {
        separate()
        storage.append(bracket)
        needsComma = false
    }

    @inlinable mutating func close(_ bracket: UInt8) {
        storage.append(bracket)
        needsComma = true
    }

    @usableFromInline static let hexDigits = Array("0123456789abcdef".utf8)
}

/// A value that can write itself as JSON.
public protocol JSONWritable {
    func write(to json: inout JSONWriter)
}

extension String: JSONWritable {
    @inlinable public func write(to json: inout JSONWriter) { json.string(self) }
}

extension Int64: JSONWritable {
    @inlinable public func write(to json: inout JSONWriter) { json.integer(self) }
}

extension Bool: JSONWritable {
    @inlinable public func write(to json: inout JSONWriter) { json.raw(self ? "true" : "false") }
}

extension Date: JSONWritable {
    @inlinable public func write(to json: inout JSONWriter) { json.timestamp(self) }

    /// The UTC calendar day, `YYYY-MM-DD`.
    public var iso8601Day: String {
        let (year, month, day, _) = utcCivilTime
        return "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2))"
    }

    /// The UTC year, month, day and second of the day, by arithmetic rather than a `Calendar`
    /// (which cost more than the rest of a response).
    @usableFromInline var utcCivilTime: (year: Int64, month: Int64, day: Int64, secondOfDay: Int64) {
        let seconds = Int64(timeIntervalSince1970.rounded(.down))
        let (days, secondOfDay) = seconds.quotientAndRemainder(dividingBy: 86_400)
        let (day, time) = secondOfDay < 0 ? (days - 1, secondOfDay + 86_400) : (days, secondOfDay)
        // Days since 1970-01-01 to a civil date (Howard Hinnant's days_from_civil, inverted).
        let shifted = day + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let dayOfMonth = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (year, month, dayOfMonth, time)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

/// Absent optionals are written as `null`, so every object of a type has the same keys.
extension Optional: JSONWritable where Wrapped: JSONWritable {
    @inlinable public func write(to json: inout JSONWriter) {
        switch self {
        case .some(let value): value.write(to: &json)
        case .none: json.raw("null")
        }
    }
}

extension Array: JSONWritable where Element: JSONWritable {
    @inlinable public func write(to json: inout JSONWriter) { json.array(self) }
}

/// Field problems, by field name in a stable order.
extension Dictionary: JSONWritable where Key == String, Value: JSONWritable {
    @inlinable public func write(to json: inout JSONWriter) {
        json.object { object in
            for (key, value) in sorted(by: { $0.key < $1.key }) { object.field(key, value) }
        }
    }
}

