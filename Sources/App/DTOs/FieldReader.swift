import JSONSupport
import Foundation

/// Reads the fields of one JSON object and collects every problem, so a client learns about all of
/// its invalid fields at once. A field's problems are keyed by its JSON name (with a path for
/// nested values, e.g. `items[2].quantity`).
struct FieldReader {
    private let object: [String: JSONValue]
    private let path: String
    private(set) var problems: FieldProblems = [:]

    /// Reads a request body: anything but an object is rejected as a whole.
    init(body: JSONValue) throws(AppError) {
        guard case .object(let object) = body else {
            throw .badRequest("The request body must be a JSON object, not \(body.typeName).")
        }
        self.object = object
        self.path = ""
    }

    /// Reads a nested object whose problems are named below `path`.
    init(nested object: [String: JSONValue], path: String) {
        self.object = object
        self.path = path
    }

    func contains(_ key: String) -> Bool { object[key] != nil }

    mutating func report(_ key: String, _ message: String) {
        problems[path.isEmpty ? key : "\(path).\(key)", default: []].append(message)
    }

    /// Throws the collected problems, if any.
    func finish() throws(AppError) {
        if !problems.isEmpty { throw .validation(problems) }
    }

    /// A string that must not be null, kept exactly as sent; `rule` returns a message when it is invalid.
    mutating func string(_ key: String, required: Bool, rule: (String) -> String? = { _ in nil }) -> String? {
        guard let value = present(key, required: required) else { return nil }
        return checkedString(key, value, rule: rule)
    }

    /// A string that may be null: `.some(nil)` clears the field, `nil` leaves it alone.
    mutating func nullableString(_ key: String, rule: (String) -> String? = { _ in nil }) -> String?? {
        switch object[key] {
        case nil: return nil
        case .null: return .some(nil)
        case let value?: return checkedString(key, value, rule: rule).map { .some($0) }
        }
    }

    mutating func integer(_ key: String, required: Bool, in range: ClosedRange<Int64>) -> Int64? {
        guard let value = present(key, required: required) else { return nil }
        return checkedInteger(key, value, in: range)
    }

    mutating func money(_ key: String, required: Bool, in range: ClosedRange<Money>) -> Money? {
        guard let value = present(key, required: required) else { return nil }
        return checkedNumber(key, value, kind: "a number", scale: Money.scale, as: Money.init(cents:),
                             otherwise: "must have at most two decimal places", in: range)
    }

    mutating func bool(_ key: String, required: Bool) -> Bool? {
        guard let value = present(key, required: required) else { return nil }
        guard case .bool(let bool) = value else {
            report(key, "must be true or false, not \(value.typeName)")
            return nil
        }
        return bool
    }

    mutating func array(_ key: String, required: Bool) -> [JSONValue]? {
        guard let value = present(key, required: required) else { return nil }
        guard case .array(let elements) = value else {
            report(key, "must be an array, not \(value.typeName)")
            return nil
        }
        return elements
    }

    /// An integer read from an array element, reported at `key[index]`.
    mutating func integer(element value: JSONValue, at index: Int, of key: String, in range: ClosedRange<Int64>) -> Int64? {
        checkedInteger("\(key)[\(index)]", value, in: range)
    }

    /// Merges a nested reader's problems into this one.
    mutating func absorb(_ nested: FieldReader) {
        problems.merge(nested.problems) { $0 + $1 }
    }

    private mutating func present(_ key: String, required: Bool) -> JSONValue? {
        switch object[key] {
        case nil:
            if required { report(key, "is required") }
            return nil
        case .null:
            report(key, "must not be null")
            return nil
        case let value?:
            return value
        }
    }

    private mutating func checkedString(_ key: String, _ value: JSONValue, rule: (String) -> String?) -> String? {
        guard case .string(let string) = value else {
            report(key, "must be a string, not \(value.typeName)")
            return nil
        }
        // Databases reject NUL in text; refuse it here rather than fail on storing it.
        if string.unicodeScalars.contains("\u{0}") {
            report(key, "must not contain NUL characters")
            return nil
        }
        if let problem = rule(string) {
            report(key, problem)
            return nil
        }
        return string
    }

    private mutating func checkedInteger(_ key: String, _ value: JSONValue, in range: ClosedRange<Int64>) -> Int64? {
        checkedNumber(key, value, kind: "an integer", scale: 0, as: { $0 }, otherwise: "must be an integer", in: range)
    }

    /// A JSON number that times 10^`scale` is a whole number within `range` (`make` turns that number
    /// into the field's type). Checked on the number as sent: a value beyond the range is reported as
    /// such however many digits it has, and an inexact one is never rounded into it.
    private mutating func checkedNumber<Value: Comparable>(
        _ key: String, _ value: JSONValue, kind: String, scale: Int, as make: (Int64) -> Value, otherwise problem: String,
        in range: ClosedRange<Value>
    ) -> Value? {
        guard case .number(let number) = value else {
            report(key, "must be \(kind), not \(value.typeName)")
            return nil
        }
        switch number.scaled(by: scale) {
        case .exact(let whole) where range.contains(make(whole)):
            return make(whole)
        case .fraction(let truncated) where range.contains(make(truncated)):
            report(key, problem)
        case .exact, .fraction, .outOfRange:
            report(key, "must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return nil
    }
}


extension FieldReader {
    /// `[{"product_id": …, "quantity": …}]` under `key`, as orders, fulfilments and restocks name
    /// products: 1 to `OrderRules.lineCount` items, each problem named by its path; each item nil
    /// where it is invalid, and the whole nil when the key is missing, not an array, or of a wrong size.
    mutating func productQuantities(_ key: String, required: Bool) -> [ItemQuantity?]? {
        guard let elements = array(key, required: required), checkLineCount(elements, key) else { return nil }
        return elements.enumerated().map { index, element -> ItemQuantity? in
            guard case .object(let object) = element else {
                report("\(key)[\(index)]", "must be an object, not \(element.typeName)")
                return nil
            }
            var item = FieldReader(nested: object, path: "\(key)[\(index)]")
            let productID = item.integer("product_id", required: true, in: 1...Int64.max)
            let quantity = item.integer("quantity", required: true, in: OrderRules.lineQuantity)
            absorb(item)
            return productID.flatMap { id in quantity.map { ItemQuantity(productID: id, quantity: $0) } }
        }
    }

    mutating func checkLineCount(_ elements: [JSONValue], _ key: String) -> Bool {
        guard OrderRules.lineCount.contains(elements.count) else {
            report(key, "must hold \(OrderRules.lineCount.lowerBound) to \(OrderRules.lineCount.upperBound) lines")
            return false
        }
        return true
    }
}
