@testable import App
@testable import JSONSupport
import Foundation
import Testing

/// Request bodies are read by `JSONParser`: strict RFC 8259, numbers as exact decimals.
@Suite struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: text.utf8) }

    @Test func documentsOfEveryShapeAreRead() throws {
        let value = try parse(#" { "a": [1, -2.50, 3e2, 0.1, -0, 1E-2], "b": {"c": null, "d": true, "e": false}, "s": "x" } "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(JSONNumber("-2.5")!), .number(300), .number(JSONNumber("0.1")!),
                         .number(0), .number(JSONNumber("0.01")!)]),
            "b": .object(["c": .null, "d": .bool(true), "e": .bool(false)]),
            "s": .string("x"),
        ]))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([:]))
        #expect(try parse("\t\r\n 42 ") == .number(42))
        #expect(try parse(#"{"k": 1, "k": 2}"#) == .object(["k": .number(2)]))
    }

    @Test func numbersKeepEveryDigit() throws {
        #expect(try parse("19.99") == .number(try #require(JSONNumber("1999e-2"))))
        let long = "19.990000000000000000000000000000000000001"
        #expect(try parse(long) != parse("19.99"), "38 digits would round it to 19.99")
        #expect(try #require(JSONNumber(long)).scaled(by: 2) == .fraction(truncated: 1999))
        #expect(try #require(JSONNumber("12345678901234567890.12")).description == "12345678901234567890.12")
    }

    @Test(arguments: ["0", "-0", "7", "-42", "123456789012345678", "-999999999999999999", "1234567890123456789",
                      "9223372036854775807", "-9223372036854775808", "99999999999999999999999"])
    func integersAreReadExactlyWhateverTheirLength(text: String) throws {
        #expect(try parse(text).int == Int64(text))
        #expect(try #require(JSONNumber(text)).description == (text == "-0" ? "0" : text))
    }

    @Test func spellingsOfOneNumberAreEqual() throws {
        for (first, second) in [("1", "1.0"), ("100", "1e2"), ("0.1", "1E-1"), ("0", "-0.000e7"), ("19.99", "1999e-2"),
                                ("1e128", "10e127"), ("1234567890123456789012", "1.234567890123456789012e21")] {
            #expect(try parse(first) == parse(second), "\(first) = \(second)")
        }
        #expect(try parse("1.5") != parse("1.50000000000000000000000000000000000000001"))
    }

    /// Valid JSON however large or small its exponent: whether a field can hold it is the field's question.
    @Test(arguments: [("1e128", JSONNumber.Scaled.outOfRange(negative: false)), ("-1.7976931348623157e308", .outOfRange(negative: true)),
                      ("1e999999999", .outOfRange(negative: false)), ("1e99999999999999999999999", .outOfRange(negative: false)),
                      ("1e-400", .fraction(truncated: 0)), ("-2.5e-99999999999999999999", .fraction(truncated: 0)),
                      ("9223372036854775807", .exact(.max)), ("9223372036854775808", .outOfRange(negative: false)),
                      ("-92233720368547758.08e2", .exact(.min)), ("12.75", .fraction(truncated: 12))])
    func anyExponentIsReadAndScaledExactly(text: String, integer: JSONNumber.Scaled) throws {
        guard case .number(let number) = try parse(text) else { Issue.record("not a number"); return }
        #expect(number.scaled(by: 0) == integer)
    }

    @Test func numbersAreWrittenBackExactly() throws {
        for (text, written) in [("19.99", "19.99"), ("0.001", "0.001"), ("-1.50", "-1.5"), ("1e3", "1000"), ("1e128", "1e128"),
                                ("2.5e-40", "25e-41")] {
            #expect(try #require(JSONNumber(text)).description == written)
        }
    }

    @Test func escapesAndUnicodeAreDecoded() throws {
        #expect(try parse(#""q\" b\\ s\/ \b\f\n\r\t é \u00e9 \ud83e\udd84 🦄""#)
            == .string("q\" b\\ s/ \u{8}\u{C}\n\r\t é é 🦄 🦄"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
    }

    @Test(arguments: [
        "", " ", "nul", "tru", "falsey", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a: 1}", "{1: 2}", "'x'",
        "01", "1.", ".5", "+1", "-", "1e", "1e+", "0x10", "NaN", "Infinity", "[", "{", "]", "\"open",
        "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud83e\"", "\"\\ud83e\\u0041\"", "\"\\udc00\"", "\"tab\tinside\"",
        "1 2", "{} {}", "// comment\n1", "[1] x",
    ])
    func malformedDocumentsAreRefused(text: String) {
        #expect(throws: JSONParser.Invalid.self) { try parse(text) }
    }

    @Test(arguments: [
        ("{\n  \"name\": \"Pen\",\n  \"price\": 1.5 \"quantity\": 3\n}", "expected ',' or '}'", 3, 16),
        ("[1, 2", "expected ',' or ']'", 1, 6),
        ("{\"a\" 1}", "expected ':' after the key", 1, 6),
        ("{\"é\": tru}", "expected true", 1, 7),
        ("", "expected a value, found the end of the body", 1, 1),
        ("[1] x", "unexpected text after the JSON value", 1, 5),
        ("{\"a\": \"x\ty\"}", "a control character in a string must be escaped", 1, 9),
        ("\n\n  \"open", "a string is not closed", 3, 3),
        ("{'a': 1}", "expected a key in double quotes or '}'", 1, 2),
        ("{\"a\": 1,}", "expected a key in double quotes", 1, 9),
        ("[-]", "expected a digit", 1, 3),
        ("\"\\x\"", "a backslash in a string must begin an escape such as \\n or \\u00e9", 1, 2),
    ])
    func aRefusalSaysWhatAndWhere(text: String, reason: String, line: Int, column: Int) {
        #expect(throws: JSONParser.Invalid(reason: reason, line: line, column: column)) { try parse(text) }
    }

    @Test func invalidUTF8IsRefused() {
        #expect(throws: JSONParser.Invalid.self) { try JSONValue(parsing: [0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func nestingIsBounded() throws {
        let deepest = String(repeating: "[", count: JSONParser.maximumDepth) + String(repeating: "]", count: JSONParser.maximumDepth)
        _ = try parse(deepest)
        #expect(throws: JSONParser.Invalid.self) { try parse("[" + deepest + "]") }
        let tooDeep = String(repeating: "[", count: 100_000)
        #expect(throws: JSONParser.Invalid.self) { try parse(tooDeep) }
    }
}
