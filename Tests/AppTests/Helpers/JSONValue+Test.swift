import App
import Foundation

/// Reading JSON in assertions: `response.json["items"][0]["line_total"].decimal`.
extension JSONValue {
    subscript(key: String) -> JSONValue {
        if case .object(let object) = self { return object[key] ?? .null }
        return .null
    }

    subscript(index: Int) -> JSONValue {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return .null
    }

    var int: Int64? {
        if case .number(let number) = self { return Int64(number.description) }
        return nil
    }

    var decimal: Decimal? {
        if case .number(let number) = self { return number }
        return nil
    }

    var string: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    var bool: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    var array: [JSONValue] {
        if case .array(let array) = self { return array }
        return []
    }

    var keys: Set<String> {
        if case .object(let object) = self { return Set(object.keys) }
        return []
    }

    var isNull: Bool { self == .null }
}

extension Decimal {
    /// An exact decimal from its text, for comparing money: `Decimal(exactly: "39.98")`.
    init(exactly text: String) {
        self = Decimal(string: text) ?? .nan
    }
}
