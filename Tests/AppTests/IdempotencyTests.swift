@testable import App
@testable import JSONSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct IdempotencyTests {
    private func order(_ user: Int64, _ product: Int64, quantity: Int = 1) -> String {
        #"{"user_id": \#(user), "items": [{"product_id": \#(product), "quantity": \#(quantity)}]}"#
    }

    private func keyed(_ key: String) -> HTTPFields { [HTTPField.Name("Idempotency-Key")!: key] }

    @Test func aRepeatReturnsTheFirstResponseAndPlacesNothingNew() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(quantity: 10)
            let first = try await client.send(.post, "/orders", body: order(user, product, quantity: 2), headers: keyed("abc-123"))
            #expect(first.status == .created)
            #expect(first.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)

            let repeated = try await client.send(.post, "/orders", body: order(user, product, quantity: 2), headers: keyed("abc-123"))
            #expect(repeated.status == .created)
            #expect(repeated.body == first.body)
            #expect(repeated.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(try await client.stock(of: product) == 8)
            #expect(try await client.get("/orders").json.array.count == 1)
        }
    }

    @Test func theReplayIsTheFirstResponseEvenAfterTheOrderChanged() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct()
            let first = try await client.send(.post, "/orders", body: order(user, product), headers: keyed("k"))
            #expect(try await client.delete("/orders/\(try #require(first.json["id"].int))").status == .ok)
            let repeated = try await client.send(.post, "/orders", body: order(user, product), headers: keyed("k"))
            #expect(repeated.json["status"].string == "placed")
            #expect(repeated.body == first.body)
        }
    }

    @Test func theSameKeyWithADifferentBodyIsUnprocessable() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(quantity: 10)
            #expect(try await client.send(.post, "/orders", body: order(user, product), headers: keyed("k1")).status == .created)
            let different = try await client.send(.post, "/orders", body: order(user, product, quantity: 3), headers: keyed("k1"))
            #expect(different.status == .unprocessableContent)
            #expect(different.json["error"].bool == true)
            #expect(try await client.stock(of: product) == 9)
        }
    }

    @Test func differentKeysPlaceDifferentOrders() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(quantity: 10)
            #expect(try await client.send(.post, "/orders", body: order(user, product), headers: keyed("one")).status == .created)
            #expect(try await client.send(.post, "/orders", body: order(user, product), headers: keyed("two")).status == .created)
            #expect(try await client.stock(of: product) == 8)
        }
    }

    @Test func aFailedPlacementIsNotRememberedSoItCanBeRetried() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(quantity: 1)
            let short = try await client.send(.post, "/orders", body: order(user, product, quantity: 2), headers: keyed("retry"))
            #expect(short.status == .conflict)
            #expect(try await client.put("/products/\(product)/stock", #"{"quantity": 5}"#).status == .ok)
            let retried = try await client.send(.post, "/orders", body: order(user, product, quantity: 2), headers: keyed("retry"))
            #expect(retried.status == .created)
        }
    }

    @Test(arguments: ["", String(repeating: "k", count: 256), "tab\there", "ünïcode"])
    func invalidKeysAreBadRequests(key: String) async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct()
            let response = try await client.send(.post, "/orders", body: order(user, product), headers: keyed(key))
            #expect(response.status == .badRequest)
            #expect(!response.json["details"]["Idempotency-Key"].isNull)
            #expect(try await client.stock(of: product) == 100)
        }
    }

    @Test func concurrentRequestsWithOneKeyPlaceExactlyOneOrder() async throws {
        try await withApp(.live) { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(quantity: 100)
            let statuses = try await concurrently(20, client, .post, "/orders", body: order(user, product), headers: keyed("same")
            )
            #expect(statuses.allSatisfy { $0 == .created || $0 == .conflict }, "\(statuses)")
            #expect(try await client.stock(of: product) == 99)
            #expect(try await client.get("/orders").json.array.count == 1)
        }
    }

    @Test func keysAreForgottenAfterTheirRetention() async throws {
        try await withTestDatabase { database in
            try await runMigrations(database.config, revert: false, all: false)
            try await database.config.database.withStore(logger: .init(label: "test")) { store in
                let shop = try await Shop(store: store, hasher: PasswordHasher(cost: 4))
                let user = try await shop.users.create(UserFields(name: "A", email: "a@example.com", phone: "5551234567"))
                let product = try await shop.products.create(try ProductDraft(body: .object([
                    "name": .string("P"), "price": .number(1), "quantity": .number(5),
                ])))
                let request = try PlaceOrderRequest(body: .object([
                    "user_id": .number(JSONNumber(user.id)), "product_ids": .array([.number(JSONNumber(product.id))]),
                ]))
                let key = IdempotencyKey(scope: "account:1", value: "old")
                _ = try await shop.orders.place(request, idempotencyKey: key) { _ in "{}" }

                let dayLater = Date().addingTimeInterval(24 * 3600 + 60)
                try await IdempotencyKeyExpiry(store: store, now: { dayLater }).expire()
                let again = try await shop.orders.place(request, idempotencyKey: key) { _ in "{}" }
                #expect(again.replayed == false)
            }
        }
    }
}
