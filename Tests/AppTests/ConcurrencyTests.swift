import App
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Real sockets, many connections at once: the stock rules must hold under contention.
@Suite struct ConcurrencyTests {
    @Test func simultaneousOrdersNeverOversell() async throws {
        try await withApp(.live) { client in
            let user = try await client.createUser()
            let stock = 20
            let product = try await client.createProduct(price: "2.50", quantity: stock)
            let port = try #require(client.port)

            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<60 {
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port) { connection in
                            let body = #"{"user_id": \#(user), "items": [{"product_id": \#(product), "quantity": 1}]}"#
                            let request = TestClient.Request(
                                "/orders", method: .post, headers: [.contentType: "application/json"],
                                body: ByteBuffer(string: body)
                            )
                            return try await connection.execute(request).status
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

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
            let port = try #require(client.port)

            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port) { connection in
                            try await connection.execute(TestClient.Request("/orders/\(order)", method: .delete)).status
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .conflict }.count == 9)
            #expect(try await client.stock(of: product) == 10)
        }
    }

    @Test func simultaneousAdjustmentsNeverTakeStockBelowZero() async throws {
        try await withApp(.live) { client in
            let product = try await client.createProduct(quantity: 10)
            let port = try #require(client.port)

            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<30 {
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port) { connection in
                            let request = TestClient.Request(
                                "/products/\(product)/stock/adjustments", method: .post,
                                headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"delta": -1}"#)
                            )
                            return try await connection.execute(request).status
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }

            #expect(statuses.filter { $0 == .created }.count == 10)
            #expect(statuses.filter { $0 == .conflict }.count == 20)
            #expect(try await client.stock(of: product) == 0)
            let ledger = try await client.get("/products/\(product)/stock/movements?limit=200").json.array
            #expect(ledger.compactMap(\.["delta"].int).reduce(0, +) == 0)
        }
    }
}
