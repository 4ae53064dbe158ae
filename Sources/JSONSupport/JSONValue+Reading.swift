import Foundation

/// Reading a parsed document: `document["paths"]["/orders"]["post"]`. A missing key or index, or a
/// value of another type, reads as `null`, so a lookup chain never traps.
extension JSONValue {
    public subscript(key: String) -> JSONValue {
        if case .object(let object) = self { return object[key] ?? .null }
        return .null
    }

    public subscript(index: Int) -> JSONValue {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return .null
    }

    public var int: Int64? {
        if case .number(let number) = self, case .exact(let integer) = number.scaled(by: 0) { return integer }
        return nil
    }

    public var decimal: Decimal? {
        if case .number(let number) = self { return number.decimal }
        return nil
    }

    public var string: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    public var bool: Bool? {
        if case .bool(let bool) = self { return bool }
        return nil
    }

    public var array: [JSONValue] {
        if case .array(let array) = self { return array }
        return []
    }

    /// An object's members; empty for anything else.
    public var object: [String: JSONValue] {
        if case .object(let object) = self { return object }
        return [:]
    }

    public var keys: Set<String> { Set(object.keys) }

    public var isNull: Bool { self == .null }
}
