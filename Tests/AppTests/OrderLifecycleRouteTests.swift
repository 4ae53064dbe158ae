@testable import App
@testable import JSONSupport
import Testing

/// The lifecycle over HTTP: order fields, who may record and read, idempotent payments and refunds,
/// refusals with their statuses, and list filters. (The rules themselves: `OrderLifecycleTests`;
/// their transactions and concurrency: `OrderLifecycleServiceTests`.)
@Suite struct OrderLifecycleRouteTests {
    private func amount(_ text: String) -> JSONValue { JSONNumber(text).map(JSONValue.number) ?? .null }

    @Test func ordersShowTheirCurrencyAmountsAndStatuses() async throws {
        try await withApp(configure: { $0.currency = Currency(code: "EUR") ?? .standard }) { admin in
            let user = try await admin.createUser()
            let priced = try await admin.createProduct(price: "12.50")
            let free = try await admin.createProduct(name: "Sample", price: "0")
            let order = try await admin.placeOrder(userID: user, items: [(priced, 2)]).json
            #expect(order["currency"].string == "EUR" && order["payment_status"].string == "unpaid")
            #expect(order["fulfillment_status"].string == "unfulfilled")
            #expect(order["amount_paid"] == amount("0") && order["amount_refunded"] == amount("0"))
            let gift = try await admin.placeOrder(userID: user, items: [(free, 1)]).json
            #expect(gift["payment_status"].string == "paid", "a free order is paid from the start")
        }
    }

    @Test func aPaymentIsRecordedOnceAndNeverAboveTheBalance() async throws {
        try await withApp { admin in
            let user = try await admin.createUser()
            let product = try await admin.createProduct(price: "10")
            let orderID = try #require(try await admin.placeOrder(userID: user, items: [(product, 3)]).json["id"].int)
            let body = #"{"amount": 12.34, "method": "bank_transfer", "reference": "transfer 77"}"#
            let first = try await admin.send(.post, "/orders/\(orderID)/payments", body: body, headers: [.idempotencyKey: "pay-1"])
            #expect(first.status == .created)
            #expect(first.json["amount"] == amount("12.34") && first.json["provider"].string == "manual")
            let replay = try await admin.send(.post, "/orders/\(orderID)/payments", body: body, headers: [.idempotencyKey: "pay-1"])
            #expect(replay.status == .created && replay.json["id"] == first.json["id"])
            #expect(replay.headers[.idempotentReplayed] == "true")
            let reused = try await admin.send(.post, "/orders/\(orderID)/payments", body: #"{"amount": 1, "method": "cash"}"#,
                                              headers: [.idempotencyKey: "pay-1"])
            #expect(reused.status == .unprocessableContent)

            let order = try await admin.get("/orders/\(orderID)").json
            #expect(order["amount_paid"] == amount("12.34") && order["payment_status"].string == "partially_paid")
            let tooMuch = try await admin.post("/orders/\(orderID)/payments", #"{"amount": 17.67, "method": "cash"}"#)
            #expect(tooMuch.status == .conflict)
            #expect(tooMuch.json["details"]["amount"][0].string == "must be at most the balance due, 17.66")
            #expect(try await admin.get("/orders/\(orderID)/payments").json.array.count == 1)
            #expect(try await admin.get("/orders?payment_status=partially_paid").json.array.map(\.["id"].int) == [orderID])
            #expect(try await admin.get("/orders?payment_status=paid").json.array.isEmpty)
        }
    }

    @Test(arguments: [
        (#"{"amount": 0, "method": "cash"}"#, "amount"), (#"{"amount": 1.001, "method": "cash"}"#, "amount"),
        (#"{"amount": 1, "method": "bitcoin"}"#, "method"), (#"{"amount": 1}"#, "method"),
        (#"{"amount": 1, "method": "cash", "reference": "line\nbreak"}"#, "reference"),
    ])
    func invalidPaymentsAreRefusedByField(body: String, field: String) async throws {
        try await withApp { admin in
            let user = try await admin.createUser()
            let orderID = try #require(try await admin.placeOrder(userID: user, items: [(try await admin.createProduct(), 1)]).json["id"].int)
            let response = try await admin.post("/orders/\(orderID)/payments", body)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == [field])
            #expect(try await admin.get("/orders/\(orderID)").json["amount_paid"] == amount("0"))
        }
    }

    @Test func aShippedOrderCannotBeCancelledAndARefundRestocksWithAReturnEntry() async throws {
        try await withApp { admin in
            let user = try await admin.createUser()
            let cup = try await admin.createProduct(name: "Cup", price: "5", quantity: 10)
            let saucer = try await admin.createProduct(name: "Saucer", price: "2", quantity: 10)
            let orderID = try #require(try await admin.placeOrder(userID: user, items: [(cup, 2), (saucer, 1)]).json["id"].int)
            #expect(try await admin.post("/orders/\(orderID)/payments", #"{"amount": 12, "method": "card"}"#).status == .created)
            let partial = try await admin.post("/orders/\(orderID)/fulfillments", #"{"items": [{"product_id": \#(cup), "quantity": 1}], "carrier": "DHL"}"#)
            #expect(partial.status == .created && partial.json["carrier"].string == "DHL")
            #expect(try await admin.get("/orders/\(orderID)").json["fulfillment_status"].string == "partially_fulfilled")
            let tooMany = try await admin.post("/orders/\(orderID)/fulfillments", #"{"items": [{"product_id": \#(cup), "quantity": 2}]}"#)
            #expect(tooMany.status == .conflict && tooMany.json["details"].keys == ["items[0].quantity"])

            let refund = try await admin.post("/orders/\(orderID)/refunds",
                                              #"{"amount": 5, "reason": "broken", "restock": [{"product_id": \#(cup), "quantity": 1}]}"#)
            #expect(refund.status == .created && refund.json["restock"][0]["quantity"].int == 1)
            let rest = try await admin.post("/orders/\(orderID)/fulfillments", "{}")
            #expect(rest.json["items"].array.map(\.["product_id"].int) == [saucer], "the restocked cup is no longer to ship")
            let order = try await admin.get("/orders/\(orderID)").json
            #expect(order["fulfillment_status"].string == "fulfilled" && order["payment_status"].string == "partially_refunded")
            #expect(try await admin.delete("/orders/\(orderID)").status == .conflict)
            #expect(try await admin.get("/users/\(user)/orders?fulfillment_status=fulfilled").json.array.map(\.["id"].int) == [orderID])
            #expect(try await admin.get("/users/\(user)/orders?fulfillment_status=unfulfilled").json.array.isEmpty)
            let invalid = try await admin.get("/users/\(user)/orders?payment_status=settled")
            #expect(invalid.status == .badRequest && invalid.json["details"].keys == ["payment_status"])
            let moves = try await admin.get("/products/\(cup)/stock/movements").json.array
            #expect(moves.last?["kind"].string == "return" && moves.last?["delta"].int == 1)
            #expect(try await admin.stock(of: cup) == 9)
        }
    }

    @Test func customersReadTheirOwnOrdersRecordsOnly() async throws {
        try await withApp { admin in
            let registered = try await admin.anonymous.post("/auth/register", AuthTests.registration("carol"))
            let customer = admin.as(try #require(registered.json["token"].string))
            let own = try #require(registered.json["user"]["id"].int)
            let product = try await admin.createProduct()
            let orderID = try #require(try await customer.placeOrder(userID: own, items: [(product, 1)]).json["id"].int)
            #expect(try await customer.post("/orders/\(orderID)/payments", #"{"amount": 1, "method": "cash"}"#).status == .forbidden)
            #expect(try await admin.post("/orders/\(orderID)/payments", #"{"amount": 1, "method": "cash"}"#).status == .created)
            #expect(try await customer.get("/orders/\(orderID)/payments").json.array.count == 1)
            #expect(try await customer.get("/orders/999999/payments").status == .notFound)
            #expect(try await admin.post("/orders/999999/refunds", #"{"amount": 1}"#).status == .notFound)
        }
    }
}
