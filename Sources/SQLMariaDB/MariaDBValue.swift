#if MySQL
import Foundation

/// One value sent to or read from the server, as the driver carries it between Swift and the C library.
public enum MariaDBValue: Sendable, Equatable {
    case null
    case int(Int64)
    /// BIGINT UNSIGNED and the like, which may not fit an Int64 (`LAST_INSERT_ID()` is one).
    case uint(UInt64)
    case double(Double)
    /// Character data (CHAR, VARCHAR, TEXT, JSON, ENUM), decoded from UTF-8.
    case text(String)
    /// Binary data (BINARY, VARBINARY, BLOB, BIT).
    case bytes([UInt8])
    /// DECIMAL, exactly as the server writes it, so no digit is lost on the way.
    case decimal(String)
    /// DATETIME and TIMESTAMP (and DATE, at midnight), read and written as UTC with microseconds.
    case datetime(Date)
}

// MARK: - Binding Swift values

/// Lets a bound `Optional` be recognised and unwrapped whatever it wraps.
private protocol AnyOptional {
    var wrappedValue: Any? { get }
}

extension Optional: AnyOptional {
    var wrappedValue: Any? {
        switch self {
        case .some(let value): value
        case .none: nil
        }
    }
}

extension MariaDBValue {
    /// The value SQLKit hands over as a bind (`\(bind: x)`): integers, floating point, Bool, String,
    /// Date, Data, Decimal, UUID, raw-representable enums and optionals of these.
    public init(binding value: Any) throws {
        switch value {
        case let value as MariaDBValue: self = value
        case let optional as any AnyOptional:
            guard let wrapped = optional.wrappedValue else { self = .null; return }
            self = try MariaDBValue(binding: wrapped)
        case let value as Bool: self = .int(value ? 1 : 0)
        case let value as Int: self = .int(Int64(value))
        case let value as Int8: self = .int(Int64(value))
        case let value as Int16: self = .int(Int64(value))
        case let value as Int32: self = .int(Int64(value))
        case let value as Int64: self = .int(value)
        case let value as UInt: self = .uint(UInt64(value))
        case let value as UInt8: self = .uint(UInt64(value))
        case let value as UInt16: self = .uint(UInt64(value))
        case let value as UInt32: self = .uint(UInt64(value))
        case let value as UInt64: self = .uint(value)
        case let value as Double: self = .double(value)
        case let value as Float: self = .double(Double(value))
        case let value as String: self = .text(value)
        case let value as Substring: self = .text(String(value))
        case let value as Date: self = .datetime(value)
        case let value as Data: self = .bytes(Array(value))
        case let value as [UInt8]: self = .bytes(value)
        case let value as Decimal: self = .decimal(value.description)
        case let value as UUID: self = .text(value.uuidString)
        case let value as any RawRepresentable: self = try MariaDBValue(binding: value.rawValue)
        default:
            throw MariaDBError(kind: .unsupportedValue, message: "cannot bind a value of type \(type(of: value))")
        }
    }
}

// MARK: - Decoding columns

/// Decodes one cell into the type a caller asks for; `Optional` takes NULL, everything else refuses it.
struct MariaDBValueDecoder: Decoder, SingleValueDecodingContainer {
    let value: MariaDBValue
    let column: String
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        throw mismatch(KeyedDecodingContainer<Key>.self)
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw mismatch([Any].self) }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { value == .null }

    func decode(_ type: Bool.Type) throws -> Bool {
        switch value {
        case .int(let number): return number != 0
        case .uint(let number): return number != 0
        default: throw mismatch(type)
        }
    }

    func decode(_ type: String.Type) throws -> String {
        switch value {
        case .text(let text), .decimal(let text): return text
        case .bytes(let bytes):
            guard let text = String(validating: bytes, as: UTF8.self) else { throw mismatch(type) }
            return text
        default: throw mismatch(type)
        }
    }

    func decode(_ type: Double.Type) throws -> Double {
        switch value {
        case .double(let number): return number
        case .int(let number): return Double(number)
        case .uint(let number): return Double(number)
        case .decimal(let text): guard let number = Double(text) else { throw mismatch(type) }; return number
        default: throw mismatch(type)
        }
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }
    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    /// Foundation types whose own `Decodable` expects another encoding (a Date as seconds since 2001)
    /// are read from the column's native form first.
    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == Date.self, case .datetime(let date) = value, let date = date as? T { return date }
        if T.self == Data.self, let data = Data(try bytes()) as? T { return data }
        if T.self == [UInt8].self, let bytes = try bytes() as? T { return bytes }
        if T.self == Decimal.self {
            let text: String? = switch value {
            case .decimal(let text), .text(let text): text
            case .int(let number): String(number)
            case .uint(let number): String(number)
            default: nil
            }
            if let text, let decimal = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) as? T { return decimal }
            throw mismatch(type)
        }
        if T.self == UUID.self, let uuid = (try? decode(String.self)).flatMap(UUID.init(uuidString:)) as? T { return uuid }
        if T.self == Date.self { throw mismatch(type) }
        return try T(from: self)
    }

    private func bytes() throws -> [UInt8] {
        switch value {
        case .bytes(let bytes): return bytes
        case .text(let text): return Array(text.utf8)
        default: throw mismatch([UInt8].self)
        }
    }

    /// Whole numbers only, and only when they fit: a BIGINT never silently wraps into a smaller type.
    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let converted: I? = switch value {
        case .int(let number): I(exactly: number)
        case .uint(let number): I(exactly: number)
        case .double(let number): I(exactly: number)
        case .decimal(let text), .text(let text): I(text)
        default: nil
        }
        guard let converted else { throw mismatch(type) }
        return converted
    }

    private func mismatch(_ type: Any.Type) -> DecodingError {
        .typeMismatch(type, .init(codingPath: [], debugDescription: "column '\(column)' holds \(value), not \(type)"))
    }
}
#endif
