import Foundation

/// A strict JSON reader (RFC 8259) straight into `JSONValue`, with numbers kept exactly as sent.
/// It replaces `JSONDecoder`, whose generic decoding of `JSONValue` (a failed attempt per type per
/// value) was a third of an order's time on the request threads.
public struct JSONParser {
    /// As deep as Foundation's reader goes: deeper documents are refused, not recursed into.
    public static let maximumDepth = 512

    /// Why a document was refused and where, so a client can find the mistake in what it sent.
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        /// What the reader expected or found wrong there, e.g. "expected ',' or '}'".
        public let reason: String
        /// Counted from 1; the column in characters, not bytes.
        public let line: Int
        public let column: Int

        public var description: String { "\(reason) at line \(line), column \(column)" }
    }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private var depth = 0

    /// The one value `bytes` holds, with nothing but whitespace around it.
    public static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes)
        let value = try parser.value()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.invalid("unexpected text after the JSON value") }
        return value
    }

    private init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    private mutating func value() throws -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw invalid("expected a value, found the end of the body") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw invalid("expected a value")
        }
    }

    private mutating func object() throws -> JSONValue {
        try enter()
        var fields: [String: JSONValue] = [:]
        skipWhitespace()
        if consume(UInt8(ascii: "}")) { depth -= 1; return .object(fields) }
        var first = true
        repeat {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
                throw invalid(first ? "expected a key in double quotes or '}'" : "expected a key in double quotes")
            }
            first = false
            let key = try string()
            skipWhitespace()
            guard consume(UInt8(ascii: ":")) else { throw invalid("expected ':' after the key") }
            // A repeated key keeps its last value, as Foundation's reader does.
            fields[key] = try value()
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "}")) else { throw invalid("expected ',' or '}'") }
        depth -= 1
        return .object(fields)
    }

    private mutating func array() throws -> JSONValue {
        try enter()
        var items: [JSONValue] = []
        skipWhitespace()
        if consume(UInt8(ascii: "]")) { depth -= 1; return .array(items) }
        repeat {
            items.append(try value())
            skipWhitespace()
        } while consume(UInt8(ascii: ","))
        guard consume(UInt8(ascii: "]")) else { throw invalid("expected ',' or ']'") }
        depth -= 1
        return .array(items)
    }

    /// Steps over the opening bracket, counting the depth.
    private mutating func enter() throws {
        depth += 1
        guard depth <= Self.maximumDepth else { throw invalid("nested more than \(Self.maximumDepth) levels deep") }
        index += 1
    }

    private mutating func string() throws -> String {
        let start = index
        index += 1 // the opening quote
        var text: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                // Validated here: a string is valid UTF-8 or the document is refused.
                guard let string = String(validating: text, as: UTF8.self) else {
                    throw invalid("a string is not valid UTF-8", at: start)
                }
                return string
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            case 0..<0x20:
                throw invalid("a control character in a string must be escaped", at: index - 1)
            default:
                text.append(byte)
            }
        }
        throw invalid("a string is not closed", at: start)
    }

    private mutating func escape(into text: inout [UInt8]) throws {
        let start = index - 1 // the backslash
        guard index < bytes.count else { throw invalid("a string is not closed") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = UInt32(try hexQuad())
            if (0xD800..<0xDC00).contains(scalar) {
                // A high surrogate must be followed by an escaped low one.
                guard consume(UInt8(ascii: "\\")), consume(UInt8(ascii: "u")) else { throw unpaired(at: start) }
                let low = UInt32(try hexQuad())
                guard (0xDC00..<0xE000).contains(low) else { throw unpaired(at: start) }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw unpaired(at: start) }
            text.append(contentsOf: String(Character(unicode)).utf8)
        default:
            throw invalid("a backslash in a string must begin an escape such as \\n or \\u00e9", at: start)
        }
    }

    private func unpaired(at offset: Int) -> Invalid {
        invalid("a \\u escape of a surrogate must be a high one followed by a low one", at: offset)
    }

    private mutating func hexQuad() throws -> UInt16 {
        let start = index
        guard index + 4 <= bytes.count else { throw invalid("expected four hexadecimal digits after \\u", at: start) }
        var value: UInt16 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            index += 1
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw invalid("expected four hexadecimal digits after \\u", at: start)
            }
            value = value << 4 | UInt16(digit)
        }
        return value
    }

    /// `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`, kept exactly, whatever its length or exponent.
    private mutating func number() throws -> JSONNumber {
        let negative = consume(UInt8(ascii: "-"))
        let wholeStart = index
        if consume(UInt8(ascii: "0")) {
            // No leading zeros.
        } else {
            guard skipDigits() > 0 else { throw invalid("expected a digit") }
        }
        let whole = wholeStart..<index
        var fraction = index..<index
        if consume(UInt8(ascii: ".")) {
            let start = index
            guard skipDigits() > 0 else { throw invalid("expected a digit") }
            fraction = start..<index
        }
        var exponent = index..<index
        var exponentNegative = false
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            exponentNegative = consume(UInt8(ascii: "-"))
            if !exponentNegative { _ = consume(UInt8(ascii: "+")) }
            let start = index
            guard skipDigits() > 0 else { throw invalid("expected a digit") }
            exponent = start..<index
        }
        // Ids and quantities, most numbers a client sends, straight from their digits: 18 digits
        // always fit in 64 bits.
        if fraction.isEmpty && exponent.isEmpty && whole.count <= 18 {
            let magnitude = bytes[whole].reduce(0, JSONNumber.appending)
            return JSONNumber(negative ? -magnitude : magnitude)
        }
        return JSONNumber(negative: negative, whole: bytes[whole], fraction: bytes[fraction], exponent: bytes[exponent],
                          exponentNegative: exponentNegative)
    }

    private mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            index += 1
        }
        return index - start
    }

    private mutating func literal(_ word: String) throws {
        let start = index
        for byte in word.utf8 {
            guard consume(byte) else { throw invalid("expected \(word)", at: start) }
        }
    }

    /// Steps over `byte` when it is next; false otherwise.
    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    /// The error for what is wrong at `offset` (the reader's position unless given): its line, and
    /// its column counted in characters (UTF-8 continuation bytes do not start one).
    private func invalid(_ reason: String, at offset: Int? = nil) -> Invalid {
        let offset = min(offset ?? index, bytes.count)
        var line = 1, column = 1
        for byte in bytes[..<offset] {
            if byte == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return Invalid(reason: reason, line: line, column: column)
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}

extension JSONValue {
    /// Reads one JSON document; throws `JSONParser.Invalid`, saying what and where, for anything
    /// RFC 8259 does not allow.
    public init(parsing bytes: some Sequence<UInt8>) throws {
        let array = Array(bytes)
        self = try array.withUnsafeBytes { try JSONParser.parse($0) }
    }
}
