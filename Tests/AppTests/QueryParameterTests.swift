@testable import App
import Foundation
import Testing

/// How every route reads its query string: NUL refused, `+` a space, and `q` matched literally.
@Suite struct QueryParameterTests {
    @Test(arguments: ["/products?q=ab%00cd", "/products?q=%00", "/products?min_price=1%00", "/users?limit=5%00",
                      "/orders?status=%00placed"])
    func aNULInAnyQueryParameterIsRefusedNamingIt(uri: String) async throws {
        try await withApp { client in
            _ = try await client.createProduct(name: "Anything")
            let response = try await client.get(uri)
            #expect(response.status == .badRequest, "\(response.body)")
            let parameter = String(uri.split(separator: "?")[1].prefix { $0 != "=" })
            #expect(response.json["details"][parameter][0].string == "must not contain NUL characters", "\(response.body)")
        }
    }

    @Test func aPlusIsASpaceAndAnEncodedPlusIsAPlus() async throws {
        try await withApp { client in
            let tea = try await client.createProduct(name: "Zeta Cup of tea")
            let book = try await client.createProduct(name: "C++ Primer")
            _ = try await client.createProduct(name: "Cup+of soup")
            _ = try await client.createProduct(name: "C  compiler")
            #expect(try await client.get("/products?q=Cup+of").json.array.map(\.["id"].int) == [tea])
            #expect(try await client.get("/products?q=Cup%20of").json.array.map(\.["id"].int) == [tea])
            #expect(try await client.get("/products?q=C%2B%2B").json.array.map(\.["id"].int) == [book])
            // The cursor link repeats the query as sent, so the next page reads it the same way.
            let paged = try await client.get("/products?q=Cup+of&limit=1")
            #expect(paged.json.array.map(\.["id"].int) == [tea])
        }
    }

    /// Seeded random names and searches built from everything FTS5, LIKE and ILIKE could read as
    /// syntax: every search answers 200 and finds exactly the names that contain it. Only ASCII
    /// letters have case here, so the expected matches do not depend on a database's Unicode folding.
    @Test func searchMatchesOnlyNamesContainingTheTextLiterally() async throws {
        let fragments = ["\"", "'", "*", "-", "^", ":", "(", ")", " NEAR ", "NEAR(", "AND", "OR", "NOT", "and", "\\", "%", "_",
                         "a", "B", "c", " ", "é", "日本", "€", "→", "ø", "{", "}", "+", "~", "."]
        var random = SeededRandom(seed: 17)
        func text(_ count: ClosedRange<Int>) -> String {
            (0..<Int.random(in: count, using: &random)).map { _ in fragments.randomElement(using: &random)! }.joined()
        }
        var names: [String] = []
        while names.count < 40 {
            let name = text(1...6)
            if !name.allSatisfy(\.isWhitespace) { names.append(name) }
        }
        var searches = (0..<60).map { _ in text(1...4) }
        // Pieces of the names themselves, so most searches find something.
        for name in names {
            let scalars = Array(name.unicodeScalars)
            let start = Int.random(in: 0..<scalars.count, using: &random)
            let end = Int.random(in: start + 1...scalars.count, using: &random)
            searches.append(String(String.UnicodeScalarView(scalars[start..<end])))
        }
        try await withApp { [names, searches] client in
            var ids: [Int64: String] = [:]
            for name in names {
                ids[try await client.createProduct(name: Self.jsonEscaped(name))] = name
            }
            for search in searches {
                let response = try await client.get("/products?limit=200&q=\(Self.percentEncoded(search))")
                #expect(response.status == .ok, "q=\(search): \(response.body)")
                let expected = ids.filter { Self.contains($0.value, search) }.keys.sorted()
                #expect(response.json.array.compactMap(\.["id"].int) == expected, "q=\(search)")
            }
        }
    }

    /// Containment by code points, ignoring ASCII case, as every database's search compares.
    private static func contains(_ name: String, _ search: String) -> Bool {
        let haystack = Array(name.lowercased().unicodeScalars), needle = Array(search.lowercased().unicodeScalars)
        guard needle.count <= haystack.count else { return false }
        return (0...haystack.count - needle.count).contains { Array(haystack[$0..<$0 + needle.count]) == needle }
    }

    private static func percentEncoded(_ text: String) -> String {
        text.utf8.map { byte in
            let scalar = Unicode.Scalar(byte)
            return byte < 0x80 && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)) ? String(scalar)
                : String(format: "%%%02X", byte)
        }.joined()
    }

    private static func jsonEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}
