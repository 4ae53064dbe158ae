@testable import App
import Foundation
import Logging
import Testing

@Suite struct SeederTests {
    private func seed(_ database: TestDatabase, seed: UInt64) async throws -> [String] {
        try await seedDatabase(database.config, counts: .init(users: 20, products: 60, orders: 40), seed: seed) { _, _, _ in }
        return try await database.config.database.withStore(logger: Logger(label: "test")) { store in
            try await store.read { session in
                try await session.sql.raw("SELECT name FROM products ORDER BY id").all().map { try $0.string("name") }
            }
        }
    }

    @Test func seededDataIsConsistentAndRepeatable() async throws {
        try await withTestDatabase { first in
            try await withTestDatabase { second in
                let names = try await seed(first, seed: 7)
                #expect(names.count == 60)
                #expect(try await seed(second, seed: 7) == names)

                try await first.config.database.withStore(logger: Logger(label: "test")) { store in
                    try await store.read { session in
                        let counts = try await session.sql.raw("""
                            SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM orders) AS orders,
                            (SELECT COUNT(*) FROM products p WHERE quantity <> (SELECT SUM(delta) FROM stock_movements m
                              WHERE m.product_id = p.id)) AS unbalanced,
                            (SELECT COUNT(*) FROM orders o WHERE total_cents <> (SELECT SUM(quantity * unit_price_cents)
                              FROM order_items i WHERE i.order_id = o.id)) AS mispriced,
                            (SELECT COUNT(*) FROM order_items) AS line_count
                            """).first()
                        #expect(try counts?.int("users") == 20)
                        #expect(try counts?.int("orders") == 40)
                        #expect(try counts?.int("unbalanced") == 0)
                        #expect(try counts?.int("mispriced") == 0)
                        #expect(try (40...200).contains(counts?.int("line_count") ?? 0))
                    }
                }
            }
        }
    }

    /// Ids are never reused, so after the newest rows were deleted the next ids lie beyond MAX + 1.
    @Test func seedingAfterDeletionsFindsItsOwnRows() async throws {
        try await withTestDatabase { database in
            try await runMigrations(database.config, revert: false, all: false)
            try await database.config.database.withStore(logger: Logger(label: "test")) { store in
                try await store.transaction { session in
                    for table in ["users", "products"] {
                        for _ in 0..<3 {
                            let email = "x\(UUID().uuidString.lowercased())@example.com"
                            let columns = table == "users" ? "name, email, email_key, phone" : "name, price_cents, quantity"
                            let values = table == "users" ? "'x', '\(email)', '\(email)', '5551234567'" : "'x', 1, 1"
                            try await session.sql.raw("""
                                INSERT INTO \(ident: table) (\(unsafeRaw: columns), created_at, updated_at)
                                VALUES (\(unsafeRaw: values), \(bind: Date()), \(bind: Date()))
                                """).run()
                        }
                        try await session.sql.raw("DELETE FROM \(ident: table)").run()
                    }
                }
            }
            try await seedDatabase(database.config, counts: .init(users: 5, products: 5, orders: 10), seed: 3) { _, _, _ in }
        }
    }
}
