import App
import HTTPTypes
import HummingbirdTesting
import Testing

/// Real sockets, many connections at once: the stock rules must hold under contention.
@Suite struct ConcurrencyTests {
    @Test func simultaneousOrdersNeverOversell() async throws {
        try await withApp(.live) { client in
            let user = try await client.createUser()
            let stock = 20
            let product = try await client.createProduct(price: "2.50", quantity: stock)
            let body = #"{"user_id": \#(user), "items": [{"product_id": \#(product), "quantity": 1}]}"#

            let statuses = try await concurrently(60, client, .post, "/orders", body: body)

            #expect(statuses.filter { $0 == .created }.count == stock)
            #expect(statuses.filter { $0 == .conflict }.count == 60 - stock)
            #expect(try await client.stock(of: product) == 0)
            let placed = try await client.get("/orders?limit=200").json.array
            #expect(placed.count == stock)
            #expect(placed.allSatisfy { $0["total_price"].decimal == 2.5 })
        }
    }

    @Test func concurrentCancelsRestoreStockOnce() async throws {
        try await withApp(.live) { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(quantity: 10)
            let order = try #require(try await client.placeOrder(userID: user, items: [(product, 6)]).json["id"].int)

            let statuses = try await concurrently(10, client, .delete, "/orders/\(order)")

            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 9)
            #expect(try await client.stock(of: product) == 10)
        }
    }

    @Test func simultaneousAdjustmentsNeverTakeStockBelowZero() async throws {
        try await withApp(.live) { client in
            let product = try await client.createProduct(quantity: 10)

            let statuses = try await concurrently(30, client, .post, "/products/\(product)/stock/adjustments", body: #"{"delta": -1}"#
            )

            #expect(statuses.filter { $0 == .created }.count == 10)
            #expect(statuses.filter { $0 == .conflict }.count == 20)
            #expect(try await client.stock(of: product) == 0)
            let ledger = try await client.get("/products/\(product)/stock/movements?limit=200").json.array
            #expect(ledger.compactMap(\.["delta"].int).reduce(0, +) == 0)
        }
    }
}
