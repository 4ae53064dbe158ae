import App
import Foundation
import Testing

/// No path that raises stock may pass the maximum a product can be saved with (1,000,000,000).
@Suite struct StockCeilingTests {
    private static let maximum: Int64 = 1_000_000_000

    @Test func anAdjustmentPastTheMaximumIsAConflictAndChangesNothing() async throws {
        try await withApp { client in
            let product = try await client.createProduct(quantity: Int(Self.maximum - 5))
            let over = try await client.post("/products/\(product)/stock/adjustments", #"{"delta": 6}"#)
            #expect(over.status == .conflict, "\(over.body)")
            #expect(over.json["reason"].string?.contains("1000000000") == true, "\(over.body)")
            #expect(try await client.stock(of: product) == Self.maximum - 5)
            #expect(try await client.get("/products/\(product)/stock/movements").json.array.count == 1)
            let toTheTop = try await client.post("/products/\(product)/stock/adjustments", #"{"delta": 5}"#)
            #expect(toTheTop.status == .created, "\(toTheTop.body)")
            #expect(try await client.stock(of: product) == Self.maximum)
        }
    }

    @Test func aCancelWhoseRestockWouldPassTheMaximumIsAConflictAndChangesNothing() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(quantity: 10)
            let order = try #require(try await client.placeOrder(userID: user, items: [(product, 4)]).json["id"].int)
            let set = try await client.put("/products/\(product)/stock", #"{"quantity": \#(Self.maximum - 3)}"#)
            #expect(set.status == .ok, "\(set.body)")
            let cancel = try await client.delete("/orders/\(order)")
            #expect(cancel.status == .conflict, "\(cancel.body)")
            #expect(cancel.json["reason"].string?.contains("1000000000") == true, "\(cancel.body)")
            #expect(try await client.get("/orders/\(order)").json["status"].string == "placed")
            #expect(try await client.stock(of: product) == Self.maximum - 3)
        }
    }

    @Test func settingTheStockPastTheMaximumIsRefused() async throws {
        try await withApp { client in
            let product = try await client.createProduct(quantity: 1)
            let response = try await client.put("/products/\(product)/stock", #"{"quantity": \#(Self.maximum + 1)}"#)
            #expect(response.status == .badRequest)
            #expect(try await client.stock(of: product) == 1)
        }
    }
}
