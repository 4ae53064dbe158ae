@testable import App
@testable import JSONSupport
import Testing

/// The document states the server's text rules as JSON Schema (patterns with explicit character
/// ranges, lengths), so that a client validating against it never sends a value the server refuses:
/// whatever a field's schema admits, the server's reading of that field accepts. Checked on
/// realistic values, edge cases and a seeded stream of random strings made of the characters the
/// rules care about.
@Suite struct ContractRuleTests {
    /// A request field: its schema in the document and the rule the server reads it with.
    struct Field: Sendable {
        let schema: String
        let rule: @Sendable (String) -> String?
        let accepted: [String]
        let refused: [String]
    }

    static let fields: [Field] = [
        Field(schema: "Name", rule: ProductRules.name, accepted: ["Ada Lovelace", "a", " x ", "Café 字 😀"],
              refused: ["", " ", "\u{A0}\u{3000}", "Cup\n", "x\u{202E}", "a\u{200B}b", "\u{E0020}", String(repeating: "a", count: 256)]),
        Field(schema: "Sku", rule: ProductRules.sku, accepted: ["CUP-80-WHT"], refused: ["", "\t", "a\u{FEFF}"]),
        Field(schema: "StockReason", rule: TextRule.line(1...500), accepted: ["broken in the warehouse"], refused: ["", "\u{85}"]),
        Field(schema: "Description", rule: ProductRules.description, accepted: ["", "Porcelain,\n80 ml.\u{202E}"],
              refused: ["a\u{0}b", String(repeating: "a", count: 10_001)]),
        Field(schema: "Email", rule: UserRules.email,
              accepted: ["ada@example.com", "first.last+tag@mail.example.co.uk", "josé@example.com", "Äbc@x.com", "a@b.c",
                         String(repeating: "a", count: 64) + "@example.com", "o'brien@x-y.example"],
              refused: ["ada@example", "a..b@x.co", ".a@x.co", "a.@x.co", "a@-b.co", "a@b-.co", "a b@x.co", "a;b@x.co",
                        "a\u{37E}b@x.co", "a@b@x.co", String(repeating: "a", count: 65) + "@x.co", "ada@example.com\n",
                        String(repeating: "é", count: 33) + "@x.co", "a@exämple.com"]),
        Field(schema: "Phone", rule: UserRules.phone, accepted: ["+44 20 7946 0000", "1234567", "(555) 123-4567"],
              refused: ["123456", "12-34 ()", "1234567\n", "١٢٣٤٥٦٧", String(repeating: "1", count: 21)]),
        Field(schema: "Username", rule: AccountRules.username, accepted: ["ada", "ada.lovelace_1-2"],
              refused: ["ab", "ada lovelace", "adä", "ada\n", String(repeating: "a", count: 51)]),
        Field(schema: "Password", rule: AccountRules.password,
              accepted: ["correct horse battery", "pässwörd", String(repeating: "a", count: 72), String(repeating: "😀", count: 18)],
              refused: ["short", String(repeating: "a", count: 73), String(repeating: "😀", count: 19), "abc\u{0}defgh"]),
        Field(schema: "LoginText", rule: { _ in nil }, accepted: ["", "ada", "any text at all\n"], refused: ["ada\u{0}"]),
        Field(schema: "PaymentReference", rule: TextRule.line(1...255), accepted: ["receipt 2231"], refused: ["", "a\nb"]),
        Field(schema: "RefundReason", rule: TextRule.line(1...500), accepted: ["arrived damaged"], refused: [" ", "\u{202E}x"]),
        Field(schema: "Carrier", rule: TextRule.line(1...100), accepted: ["DHL"], refused: ["", String(repeating: "a", count: 101)]),
        Field(schema: "TrackingNumber", rule: TextRule.line(1...100), accepted: ["JD014600006281230724"], refused: ["JD\t1"]),
        Field(schema: "TrackingUrl", rule: OrderRules.trackingURL,
              accepted: ["https://www.dhl.com/track?id=JD0146", "http://127.0.0.1:8080/t#x", "https://x-y.example"],
              refused: ["ftp://x.com", "https://", "https://a b.com", "https://café.com", "https://x.com:123456", "https://x.com/a b",
                        "https://x.com\n", "https://x.com:/", "https://x.com" + String(repeating: "a", count: 2036)]),
        Field(schema: "OrderDate", rule: OrderRules.date, accepted: ["2026-11-26", "2024-02-29", "0001-01-01"],
              refused: ["2026-13-01", "2023-02-29", "2026-1-1", "0000-01-01", "26-11-2026", "2026-11-26\n"]),
    ]

    static func serverAccepts(_ value: String, _ field: Field) throws -> Bool {
        var reader = try FieldReader(body: .object(["field": .string(value)]))
        _ = reader.string("field", required: true, rule: field.rule)
        return reader.problems.isEmpty
    }

    static func schemaAdmits(_ value: String, _ field: Field) -> Bool {
        let schema: JSONValue = .object(["$ref": .string("#/components/schemas/\(field.schema)")])
        return SchemaValidator(document: Contract.document).errors(.string(value), schema, at: "$").isEmpty
    }

    @Test(arguments: fields.map(\.schema))
    func theSchemaAdmitsOnlyWhatTheServerAccepts(_ name: String) throws {
        let field = try #require(Self.fields.first { $0.schema == name })
        for value in field.accepted {
            #expect(try Self.serverAccepts(value, field), "the server accepts \(value.debugDescription)")
            #expect(Self.schemaAdmits(value, field), "\(name) admits \(value.debugDescription)")
        }
        for value in field.refused {
            #expect(try !Self.serverAccepts(value, field), "the server refuses \(value.debugDescription)")
            #expect(!Self.schemaAdmits(value, field), "\(name) refuses \(value.debugDescription)")
        }
        var random = SeededRandom(seed: 19)
        for _ in 0..<1500 {
            let value = random.text(emailLike: name == "Email")
            if Self.schemaAdmits(value, field) {
                #expect(try Self.serverAccepts(value, field), "\(name) admits \(value.debugDescription), which the server refuses")
            }
        }
    }

    /// The line rule's pattern spells out Unicode's control, format and space characters as code point
    /// ranges (no `\p{…}` classes, which not every validator reads): it must list exactly the ones this
    /// build's Unicode tables hold. Each such character, and each of its neighbours, is read by both.
    @Test func theLinePatternListsExactlyTheInvisibleAndSpaceCharacters() throws {
        let field = try #require(Self.fields.first { $0.schema == "Name" })
        let special = (0...0x10FFFF).compactMap(Unicode.Scalar.init).filter {
            Identity.containsInvisibleCharacters(String($0)) || $0.properties.isWhitespace
        }
        #expect(special.count > 250)
        let candidates = Set(special.flatMap { [$0.value &- 1, $0.value, $0.value + 1] }).sorted().compactMap(Unicode.Scalar.init)
        for scalar in candidates {
            for text in [String(scalar), "a" + String(scalar)] {
                #expect(try Self.serverAccepts(text, field) == Self.schemaAdmits(text, field),
                        "U+\(String(scalar.value, radix: 16, uppercase: true)) in \(text.debugDescription)")
            }
        }
    }
}

/// A small seeded generator (SplitMix64), so that a failure names a string that comes back on every run.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Characters the text rules treat differently: letters and digits, the email's and phone's
    /// punctuation, spaces of several kinds, control and format characters, combining marks, and
    /// characters of two, three and four bytes.
    private static let alphabet: [Character] = Array("aZ09.-_+@ ()<>;:,\"\\'é字😀") + [
        "\u{0}", "\n", "\t", "\u{7F}", "\u{85}", "\u{A0}", "\u{200B}", "\u{202E}", "\u{FEFF}", "\u{3000}",
        "\u{37E}", "\u{E0020}", "\u{110BD}", "\u{301}",
    ]

    mutating func text(emailLike: Bool) -> String {
        let word = { (random: inout SeededRandom, length: Int) in
            String((0..<Int.random(in: 0...length, using: &random)).map { _ in
                Self.alphabet[Int.random(in: Self.alphabet.indices, using: &random)]
            })
        }
        guard emailLike else { return word(&self, 80) }
        let labels = (0..<Int.random(in: 1...4, using: &self)).map { _ in
            Bool.random(using: &self) ? word(&self, 6) : String(repeating: "ab", count: Int.random(in: 1...4, using: &self))
        }
        return word(&self, 70) + "@" + labels.joined(separator: ".")
    }
}
