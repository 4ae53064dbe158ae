@testable import App
import Foundation
import Testing

/// PostgreSQL reads a search page in bounded steps (stretches of ids in key order, then its trigram
/// index); every database must give the same pages, in id order, wherever the matches lie: inside a
/// stretch, beyond it, or on both sides of its end, for a rare text and for a common one.
@Suite struct SearchWindowTests {
    @Test func matchesOnBothSidesOfEachStretchComeInIdOrderPageByPage() async throws {
        try await withStoreAndProducts(quantities: [1]) { store, _, _, products in
            let first = products[0].id
            let (one, two) = StoreSession.searchStretches
            // Rare: two in the first stretch, the rest beyond it. Common: enough in the first stretch
            // to walk the second, one there, one beyond both.
            let rare: [Int64] = [one - 2, one - 1, one + 5, one * 30, one * 30 + 1]
            let common: [Int64] = (10..<(10 + Int64(StoreSession.rareTextMatches) + 1)).map { $0 } + [one + 100, one + two + 50]
            try await store.transaction { session in
                for (name, offsets) in [("Rare Find", rare), ("Common Find", common)] {
                    for offset in offsets {
                        try await session.sql.raw("""
                            INSERT INTO products (id, name, price_cents, quantity, created_at, updated_at)
                            VALUES (\(bind: first + offset), \(bind: "\(name) \(offset)"), 100, 1, \(bind: Date()), \(bind: Date()))
                            """).run()
                    }
                }
            }
            for (text, offsets) in [("rare find", rare), ("COMMON", common), ("find", (rare + common).sorted())] {
                let expected = offsets.map { first + $0 }
                for limit in [2, 3, 50] {
                    var seen: [Int64] = []
                    var after: Int64?
                    repeat {
                        let page = try await store.read { [after] session in
                            try await session.products(ProductFilter(nameContains: text), PageRequest(limit: limit, afterID: after))
                        }
                        seen += page.items.map(\.id)
                        after = page.nextAfterID
                    } while after != nil
                    #expect(seen == expected, "q=\(text), limit \(limit)")
                }
            }
            // A cursor near the largest id cannot overflow a stretch's end.
            let last = try await store.read { try await $0.products(ProductFilter(nameContains: "find"), PageRequest(limit: 10, afterID: .max - 1)) }
            #expect(last.items.isEmpty)
        }
    }
}
