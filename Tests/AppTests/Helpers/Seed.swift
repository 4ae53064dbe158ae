import App
import HummingbirdTesting
import Testing

/// Small seeding helpers; each returns the new resource's id and fails the test if creation fails.
extension APIClient {
    func createUser(name: String = "Ada Lovelace", email: String? = nil, phone: String = "+44 20 7946 0000") async throws -> Int64 {
        let email = email ?? "user-\(UInt32.random(in: 0...UInt32.max))@example.com"
        let response = try await post("/users", #"{"name": "\#(name)", "email": "\#(email)", "phone": "\#(phone)"}"#)
        #expect(response.status == .created, "\(response.body)")
        return try #require(response.json["id"].int)
    }

    func createProduct(name: String = "Widget", price: String = "9.99", quantity: Int = 100, sku: String? = nil) async throws -> Int64 {
        let skuField = sku.map { #", "sku": "\#($0)""# } ?? ""
        let response = try await post("/products", #"{"name": "\#(name)", "price": \#(price), "quantity": \#(quantity)\#(skuField)}"#)
        #expect(response.status == .created, "\(response.body)")
        return try #require(response.json["id"].int)
    }

    func createAccount(userID: Int64, username: String = "ada", password: String = "correct horse") async throws -> Int64 {
        let response = try await post("/accounts", #"{"username": "\#(username)", "password": "\#(password)", "user_id": \#(userID)}"#)
        #expect(response.status == .created, "\(response.body)")
        return try #require(response.json["id"].int)
    }

    func placeOrder(userID: Int64, items: [(product: Int64, quantity: Int)]) async throws -> APIResponse {
        let lines = items.map { #"{"product_id": \#($0.product), "quantity": \#($0.quantity)}"# }.joined(separator: ", ")
        return try await post("/orders", #"{"user_id": \#(userID), "items": [\#(lines)]}"#)
    }

    func stock(of productID: Int64) async throws -> Int64? {
        try await get("/products/\(productID)").json["quantity"].int
    }
}
