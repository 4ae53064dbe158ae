import Foundation
import Logging
import SQLKit

/// Bulk test data for benchmarks and demos: users, products with their opening stock movements, and
/// orders placed through the real order rules, so totals, stock and the ledger always agree.
/// The same seed gives the same data.
public struct Seeder: Sendable {
    public struct Counts: Sendable {
        public var users: Int
        public var products: Int
        public var orders: Int

        public init(users: Int, products: Int, orders: Int) {
            self.users = users
            self.products = products
            self.orders = orders
        }
    }

    /// Rows per INSERT statement and per transaction.
    static let rowsPerStatement = 1_000
    static let rowsPerTransaction = 20_000

    let store: any Store
    let shop: Shop
    let seed: UInt64
    let progress: @Sendable (String, Int, Int) -> Void

    public func run(_ counts: Counts) async throws {
        var random = SeededRandom(seed: seed)
        try await insertInBatches("users", total: counts.users) { index in
            let name = "\(SeedWords.firstNames.randomElement(using: &random)!) \(SeedWords.lastNames.randomElement(using: &random)!)"
            let email = "user\(index)-\(seed)@example.com"
            return [SQLBind(name), SQLBind(email), SQLBind(Identity.key(email)), SQLBind("+1 555 \(1_000_000 + index % 9_000_000)")]
        } columns: { ["name", "email", "email_key", "phone"] }
        let firstUser = try await firstOfLast(counts.users, in: "users")

        try await insertInBatches("products", total: counts.products) { index in
            var name = "\(SeedWords.adjectives.randomElement(using: &random)!) \(SeedWords.nouns.randomElement(using: &random)!)"
            // One product in 2,000 carries words no other does: what a search for a rare term finds.
            if index % 2_000 == 1_999 { name += " Limited Edition" }
            return [SQLBind(name), SQLBind(Int64.random(in: 99...99_999, using: &random)),
                    SQLBind(Int64.random(in: 1_000...100_000, using: &random))]
        } columns: { ["name", "price_cents", "quantity"] }
        let firstProduct = try await firstOfLast(counts.products, in: "products")
        try await recordOpeningStock(fromProductID: firstProduct)

        guard counts.orders > 0, counts.users > 0, counts.products > 0 else { return }
        for index in 0..<counts.orders {
            let productIDs = Set((0..<Int.random(in: 1...5, using: &random)).map { _ in
                firstProduct + Int64.random(in: 0..<Int64(counts.products), using: &random)
            })
            let lines = productIDs.sorted().map { OrderLineRequest(productID: $0, quantity: Int64.random(in: 1...3, using: &random)) }
            let userID = firstUser + Int64.random(in: 0..<Int64(counts.users), using: &random)
            _ = try await shop.orders.place(PlaceOrderRequest(userID: userID, lines: lines))
            if index % 1_000 == 999 || index == counts.orders - 1 { progress("orders", index + 1, counts.orders) }
        }
    }

    /// The first id of the `count` rows just inserted into `table`: the seeder writes alone, so its
    /// rows are the newest and their ids contiguous (ids are never reused, so MAX + 1 would not do).
    private func firstOfLast(_ count: Int, in table: String) async throws -> Int64 {
        try await store.read { session in
            try await session.sql.raw("""
                SELECT MIN(id) AS first FROM (SELECT id FROM \(ident: table) ORDER BY id DESC LIMIT \(bind: max(count, 1))) AS newest
                """).first()?.decode(column: "first", as: Int64?.self) ?? 1
        }
    }

    private func insertInBatches(
        _ table: String, total: Int, row: (Int) -> [SQLBind], columns: () -> [String]
    ) async throws {
        var done = 0
        while done < total {
            let transactionEnd = min(total, done + Self.rowsPerTransaction)
            var statements: [[[SQLBind]]] = []
            var start = done
            while start < transactionEnd {
                let end = min(transactionEnd, start + Self.rowsPerStatement)
                statements.append((start..<end).map(row))
                start = end
            }
            let now = Date()
            let names = columns() + ["created_at", "updated_at"]
            let batch = statements
            try await store.transaction { session in
                for rows in batch {
                    var insert = session.sql.insert(into: table).columns(names)
                    for values in rows { insert = insert.values(values + [SQLBind(now), SQLBind(now)]) }
                    try await insert.run()
                }
            }
            done = transactionEnd
            progress(table, done, total)
        }
    }

    /// Every seeded product's opening balance in the ledger, so deltas sum to the stock.
    private func recordOpeningStock(fromProductID first: Int64) async throws {
        try await store.transaction { session in
            try await session.sql.raw("""
                INSERT INTO stock_movements (product_id, delta, quantity_after, kind, created_at)
                SELECT id, quantity, quantity, \(bind: StockMovementKind.initial.rawValue), created_at
                FROM products WHERE id >= \(bind: first)
                """).run()
        }
    }
}

/// SplitMix64: small, fast and the same on every platform, so a seed always gives the same data.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.scramble(state)
    }

    /// SplitMix64's finalizer: a bijection on 64 bits, so distinct inputs give distinct outputs.
    static func scramble(_ value: UInt64) -> UInt64 {
        var value = value
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}

enum SeedWords {
    static let firstNames = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Linus", "Radia", "Ken",
                             "Frances", "John", "Katherine", "Dennis", "Hedy", "Tim"]
    static let lastNames = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Torvalds",
                            "Perlman", "Thompson", "Allen", "Backus", "Johnson", "Ritchie", "Lamarr", "Berners-Lee"]
    static let adjectives = ["Red", "Blue", "Green", "Small", "Large", "Classic", "Modern", "Organic", "Vintage", "Compact",
                             "Deluxe", "Wireless", "Wooden", "Steel", "Cotton", "Leather", "Smart", "Portable"]
    static let nouns = ["Notebook", "Pen", "Lamp", "Chair", "Mug", "Backpack", "Keyboard", "Headphones", "Bottle",
                        "Jacket", "Watch", "Speaker", "Blanket", "Kettle", "Toaster", "Camera", "Charger", "Desk"]
}
