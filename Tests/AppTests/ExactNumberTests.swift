import App
import Foundation
import Testing

/// Money, quantities and ids see a number exactly as sent: a digit beyond what the field holds is
/// refused, never rounded away, and a huge or tiny exponent is a field's problem, not bad JSON.
@Suite struct ExactNumberTests {
    private static let tail = "0000000000000000000000000000000000000001"

    private func createProduct(_ client: APIClient, price: String = "1", quantity: String = "1", extra: String = "") async throws -> APIResponse {
        try await client.post("/products", #"{"name": "Exact"\#(extra), "price": \#(price), "quantity": \#(quantity)}"#)
    }

    @Test func aPriceOrQuantityWithADigitBeyondWhatItHoldsIsRefused() async throws {
        try await withApp { client in
            let price = try await createProduct(client, price: "19.99\(Self.tail)")
            #expect(price.status == .badRequest, "\(price.body)")
            #expect(price.json["details"]["price"][0].string == "must have at most two decimal places")
            let quantity = try await createProduct(client, quantity: "1.\(Self.tail)")
            #expect(quantity.status == .badRequest, "\(quantity.body)")
            #expect(quantity.json["details"]["quantity"][0].string == "must be an integer")
            #expect(try await client.list("/products").isEmpty)
        }
    }

    @Test func anIdWithADigitBeyondAnIntegerIsRefused() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(quantity: 5)
            let order = try await client.post("/orders", #"{"user_id": \#(user), "items": [{"product_id": \#(product).\#(Self.tail), "quantity": 1}]}"#)
            #expect(order.status == .badRequest, "\(order.body)")
            #expect(order.json["details"]["items[0].product_id"][0].string == "must be an integer")
            #expect(try await client.stock(of: product) == 5)
        }
    }

    @Test func aMinimumPriceWithADigitBeyondCentsIsRefused() async throws {
        try await withApp { client in
            let response = try await client.get("/products?min_price=19.99\(Self.tail)")
            #expect(response.status == .badRequest, "\(response.body)")
            #expect(response.json["details"]["min_price"] != .null)
        }
    }

    @Test(arguments: ["1e128", "1.7976931348623157e308", "1e999999999", "-1e128", "1e20", "123456789012345678901234567890"])
    func aHugeNumberIsOutOfTheFieldsRange(text: String) async throws {
        try await withApp { client in
            let ignored = try await createProduct(client, extra: #", "note": \#(text)"#)
            #expect(ignored.status == .created, "an ignored field: \(ignored.body)")
            let price = try await createProduct(client, price: text)
            #expect(price.status == .badRequest)
            #expect(price.json["details"]["price"][0].string == "must be between 0 and 1000000000", "\(price.body)")
            let quantity = try await createProduct(client, quantity: text)
            #expect(quantity.json["details"]["quantity"][0].string == "must be between 0 and 1000000000", "\(quantity.body)")
        }
    }

    @Test(arguments: ["1e-400", "1e-999999999", "-1e-400"])
    func aTinyNumberIsNotWholeEnough(text: String) async throws {
        try await withApp { client in
            let ignored = try await createProduct(client, extra: #", "note": \#(text)"#)
            #expect(ignored.status == .created, "an ignored field: \(ignored.body)")
            let price = try await createProduct(client, price: text)
            #expect(price.json["details"]["price"][0].string == "must have at most two decimal places", "\(price.body)")
            let quantity = try await createProduct(client, quantity: text)
            #expect(quantity.json["details"]["quantity"][0].string == "must be an integer", "\(quantity.body)")
        }
    }

    @Test func exactSpellingsOfTheSameNumberAreAccepted() async throws {
        try await withApp { client in
            let created = try await createProduct(client, price: "1999.000000000000000000000000000000000000000e-2",
                                                  quantity: "0.000000000000000000000000000000000000000007e45")
            #expect(created.status == .created, "\(created.body)")
            #expect(created.json["price"].decimal == Decimal(string: "19.99"))
            #expect(created.json["quantity"].int == 7000)
        }
    }
}
