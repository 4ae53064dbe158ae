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

    @Test func overlappingOrdersOfSeveralLinesNeverOversell() async throws {
        try await withApp(.live) { client in
            let user = try await client.createUser()
            let stock = 12
            var products: [Int64] = []
            for _ in 0..<3 { products.append(try await client.createProduct(price: "1.25", quantity: stock)) }
            let catalogue = products
            // Each order takes two or all three products, listed in a different order each time, so
            // concurrent orders wait for each other's rows; none may oversell, fail or deadlock.
            let statuses = try await concurrently(40, client, .post, "/orders") { index in
                let count = index % 2 == 0 ? 2 : 3
                let lines = (0..<count).map { catalogue[(index + $0) % catalogue.count] }
                    .map { #"{"product_id": \#($0), "quantity": \#(1 + index % 2)}"# }
                return #"{"user_id": \#(user), "items": [\#(lines.joined(separator: ", "))]}"#
            }

            #expect(statuses.allSatisfy { $0 == .created || $0 == .conflict }, "\(statuses)")
            #expect(statuses.contains(.created) && statuses.contains(.conflict))
            let placed = try await client.get("/orders?limit=200").json.array
            #expect(placed.count == statuses.filter { $0 == .created }.count)
            for product in products {
                let taken = placed.flatMap { $0["items"].array }.filter { $0["product_id"].int == product }
                    .compactMap(\.["quantity"].int).reduce(0, +)
                let left = try #require(try await client.stock(of: product))
                #expect(left >= 0 && left == Int64(stock) - taken)
                let ledger = try await client.get("/products/\(product)/stock/movements?limit=200").json.array
                #expect(ledger.compactMap(\.["delta"].int).reduce(0, +) == left)
            }
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
