@testable import App
import Foundation
import Testing

/// Request bodies are read by `JSONParser`: strict RFC 8259, numbers as exact decimals.
@Suite struct JSONParserTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: text.utf8) }

    @Test func documentsOfEveryShapeAreRead() throws {
        let value = try parse(#" { "a": [1, -2.50, 3e2, 0.1, -0, 1E-2], "b": {"c": null, "d": true, "e": false}, "s": "x" } "#)
        #expect(value == .object([
            "a": .array([.number(1), .number(Decimal(string: "-2.5")!), .number(300), .number(Decimal(string: "0.1")!),
                         .number(0), .number(Decimal(string: "0.01")!)]),
            "b": .object(["c": .null, "d": .bool(true), "e": .bool(false)]),
            "s": .string("x"),
        ]))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{}") == .object([:]))
        #expect(try parse("\t\r\n 42 ") == .number(42))
        #expect(try parse(#"{"k": 1, "k": 2}"#) == .object(["k": .number(2)]))
    }

    @Test func moneyKeepsEveryDigit() throws {
        #expect(try parse("19.99") == .number(Decimal(string: "19.99")!))
        #expect(try parse("12345678901234567890.12") == .number(Decimal(string: "12345678901234567890.12")!))
    }

    @Test(arguments: ["0", "-0", "7", "-42", "123456789012345678", "-999999999999999999", "1234567890123456789",
                      "9223372036854775807", "-9223372036854775808", "99999999999999999999999"])
    func integersAreReadExactlyWhateverTheirLength(text: String) throws {
        #expect(try parse(text) == .number(Decimal(string: text)!))
    }

    @Test func escapesAndUnicodeAreDecoded() throws {
        #expect(try parse(#""q\" b\\ s\/ \b\f\n\r\t é \u00e9 \ud83e\udd84 🦄""#)
            == .string("q\" b\\ s/ \u{8}\u{C}\n\r\t é é 🦄 🦄"))
        #expect(try parse(#""\u0000""#) == .string("\u{0}"))
    }

    @Test(arguments: [
        "", " ", "nul", "tru", "falsey", "[1,]", "{\"a\":1,}", "[1 2]", "{\"a\" 1}", "{a: 1}", "{1: 2}", "'x'",
        "01", "1.", ".5", "+1", "-", "1e", "1e+", "0x10", "NaN", "Infinity", "1e400", "[", "{", "]", "\"open",
        "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud83e\"", "\"\\ud83e\\u0041\"", "\"\\udc00\"", "\"tab\tinside\"",
        "1 2", "{} {}", "// comment\n1", "[1] x",
    ])
    func malformedDocumentsAreRefused(text: String) {
        #expect(throws: JSONParser.Invalid.self) { try parse(text) }
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
