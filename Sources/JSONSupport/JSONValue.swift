import Foundation

/// A JSON value read exactly as sent: numbers keep every digit (no binary floating point, no rounding), and
/// nothing is rejected before every field has been looked at, so validation can report all problems.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON type's name, for messages such as "must be a string, not a number".
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
