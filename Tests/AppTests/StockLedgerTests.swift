import App
import Foundation
import HummingbirdTesting
import Testing

@Suite struct StockLedgerTests {
    @Test func everyStockChangeIsRecordedAndTheLedgerSumsToTheStock() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(quantity: 10)
            let order = try #require(try await client.placeOrder(userID: user, items: [(product, 3)]).json["id"].int)
            #expect(try await client.delete("/orders/\(order)").status == .ok)
            #expect(try await client.put("/products/\(product)/stock", #"{"quantity": 25}"#).status == .ok)
            #expect(try await client.post("/products/\(product)/stock/adjustments", #"{"delta": -4, "reason": "breakage"}"#).status == .created)
            #expect(try await client.patch("/products/\(product)", #"{"quantity": 30}"#).status == .ok)

            let movements = try await client.get("/products/\(product)/stock/movements").json.array
            #expect(movements.map(\.["kind"].string) == ["initial", "order", "cancel", "set", "adjustment", "set"])
            #expect(movements.map(\.["delta"].int) == [10, -3, 3, 15, -4, 9])
            #expect(movements.map(\.["quantity_after"].int) == [10, 7, 10, 25, 21, 30])
            #expect(movements.map(\.["order_id"].int) == [nil, order, order, nil, nil, nil])
            #expect(movements[4]["reason"].string == "breakage")
            #expect(movements[0]["reason"].isNull && movements[0]["order_id"].isNull)
            #expect(movements[0].keys == ["id", "product_id", "delta", "quantity_after", "kind", "reason", "order_id", "created_at"])
            let stock = try await client.stock(of: product)
            #expect(movements.compactMap(\.["delta"].int).reduce(0, +) == stock)
        }
    }

    @Test func settingTheSameQuantityRecordsNothing() async throws {
        try await withApp { client in
            let product = try await client.createProduct(quantity: 5)
            #expect(try await client.put("/products/\(product)/stock", #"{"quantity": 5}"#).status == .ok)
            #expect(try await client.get("/products/\(product)/stock/movements").json.array.count == 1)
        }
    }

    @Test func movementsArePagedAndBelongToALiveProduct() async throws {
        try await withApp { client in
            let product = try await client.createProduct(quantity: 5)
            for delta in 1...4 {
                #expect(try await client.post("/products/\(product)/stock/adjustments", #"{"delta": \#(delta)}"#).status == .created)
            }
            let first = try await client.get("/products/\(product)/stock/movements?limit=3")
            #expect(first.json.array.count == 3)
            #expect(first.headers[.init("Link")!]?.contains("after_id=") == true)
            #expect(try await client.get("/products/999/stock/movements").status == .notFound)
            #expect(try await client.delete("/products/\(product)").status == .noContent)
            #expect(try await client.get("/products/\(product)/stock/movements").status == .notFound)
        }
    }

    @Test func compareAndSetRefusesAStaleCount() async throws {
        try await withApp { client in
            let product = try await client.createProduct(quantity: 8)
            let stale = try await client.put("/products/\(product)/stock", #"{"quantity": 3, "expected_quantity": 7}"#)
            #expect(stale.status == .preconditionFailed)
            #expect(stale.json["current_quantity"].int == 8)
            #expect(try await client.stock(of: product) == 8)
            #expect(try await client.get("/products/\(product)/stock/movements").json.array.count == 1)

            let fresh = try await client.put("/products/\(product)/stock", #"{"quantity": 3, "expected_quantity": 8}"#)
            #expect(fresh.status == .ok)
            #expect(fresh.json["quantity"].int == 3)
        }
    }

    @Test func adjustmentsApplyRelativeChanges() async throws {
        try await withApp { client in
            let product = try await client.createProduct(quantity: 5)
            let response = try await client.post("/products/\(product)/stock/adjustments", #"{"delta": 7, "reason": "delivery"}"#)
            #expect(response.status == .created)
            #expect(response.json["delta"].int == 7)
            #expect(response.json["quantity_after"].int == 12)
            #expect(response.json["kind"].string == "adjustment")
            #expect(try await client.stock(of: product) == 12)
        }
    }

    @Test func anAdjustmentBelowZeroIsAConflictAndChangesNothing() async throws {
        try await withApp { client in
            let product = try await client.createProduct(quantity: 5)
            let response = try await client.post("/products/\(product)/stock/adjustments", #"{"delta": -6}"#)
            #expect(response.status == .conflict)
            #expect(try await client.stock(of: product) == 5)
            #expect(try await client.get("/products/\(product)/stock/movements").json.array.count == 1)
        }
    }

    @Test(arguments: [#"{"delta": 0}"#, #"{"delta": 1.5}"#, #"{"delta": "3"}"#, #"{}"#, #"{"delta": 2, "reason": 5}"#])
    func invalidAdjustmentsAreBadRequests(body: String) async throws {
        try await withApp { client in
            let product = try await client.createProduct(quantity: 5)
            let response = try await client.post("/products/\(product)/stock/adjustments", body)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys.isSubset(of: ["delta", "reason"]))
            #expect(try await client.stock(of: product) == 5)
        }
    }

    @Test func adjustingAnUnknownProductIsNotFound() async throws {
        try await withApp { client in
            let response = try await client.post("/products/404/stock/adjustments", #"{"delta": 1}"#)
            #expect(response.status == .notFound)
        }
    }
}
