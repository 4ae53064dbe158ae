@testable import App
import Foundation
import Testing

/// PostgreSQL reads a search page in two steps (the next `searchWindow` ids in key order, then the
/// rest through its trigram index); every database must give the same pages, in id order, whether
/// the matches lie inside the window, beyond it, or on both sides of its end.
@Suite struct SearchWindowTests {
    @Test func matchesOnBothSidesOfTheWindowComeInIdOrderPageByPage() async throws {
        try await withStoreAndProducts(quantities: [1, 1, 1]) { store, _, _, products in
            let first = products[0].id
            // Ids from just before the window's end to far beyond it, inserted with the ids given.
            let offsets: [Int64] = [StoreSession.searchWindow - 2, StoreSession.searchWindow - 1, StoreSession.searchWindow + 5,
                                    StoreSession.searchWindow * 3, StoreSession.searchWindow * 3 + 1]
            try await store.transaction { session in
                for (index, offset) in offsets.enumerated() {
                    let name = index == 2 ? "Plain \(index)" : "Rare Find \(index)"
                    try await session.sql.raw("""
                        INSERT INTO products (id, name, price_cents, quantity, created_at, updated_at)
                        VALUES (\(bind: first + offset), \(bind: name), 100, 1, \(bind: Date()), \(bind: Date()))
                        """).run()
                }
            }
            let expected = [0, 1, 3, 4].map { first + offsets[$0] }
            var seen: [Int64] = []
            var after: Int64?
            repeat {
                let page = try await store.read { [after] session in
                    try await session.products(ProductFilter(nameContains: "rare find"), PageRequest(limit: 2, afterID: after))
                }
                seen += page.items.map(\.id)
                after = page.nextAfterID
            } while after != nil
            #expect(seen == expected)
            // From the start, one page holding all of them.
            let whole = try await store.read { try await $0.products(ProductFilter(nameContains: "RARE"), PageRequest(limit: 10)) }
            #expect(whole.items.map(\.id) == expected && whole.nextAfterID == nil)
            // A cursor near the largest id cannot overflow the window's end.
            let last = try await store.read { try await $0.products(ProductFilter(nameContains: "rare"), PageRequest(limit: 10, afterID: .max - 1)) }
            #expect(last.items.isEmpty)
        }
    }
}
