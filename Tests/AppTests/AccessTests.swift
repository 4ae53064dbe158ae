import App
import HTTPTypes
import HummingbirdTesting
import Testing

/// The access table of the API, route by route and role by role: anyone, a customer on their own and
/// on another customer's objects, and an admin.
@Suite struct AccessTests {
    /// One route as each kind of caller sees it; nil where the row does not apply to that caller.
    struct Rule {
        let method: HTTPRequest.Method
        let path: String
        var body: String? = nil
        let anonymous: HTTPResponse.Status
        let customer: HTTPResponse.Status
        let admin: HTTPResponse.Status?
    }

    @Test func everyRouteAnswersEachRoleAsTheTableSays() async throws {
        try await withApp { admin in
            // Two customers, A (the caller) and B (someone else), each with an order.
            let a = try await admin.anonymous.post("/auth/register", AuthTests.registration("alice"))
            let b = try await admin.anonymous.post("/auth/register", AuthTests.registration("bob"))
            let customer = admin.as(try #require(a.json["token"].string))
            let userA = try #require(a.json["user"]["id"].int)
            let userB = try #require(b.json["user"]["id"].int)
            let accountA = try #require(a.json["account"]["id"].int)
            let product = try await admin.createProduct(quantity: 1000)
            let spare = try await admin.createProduct(name: "Spare")
            let orderA = try #require(try await customer.placeOrder(userID: userA, items: [(product, 1)]).json["id"].int)
            let orderB = try #require(try await admin.placeOrder(userID: userB, items: [(product, 1)]).json["id"].int)
            // A's order that is paid, shipped and refunded (orderA is cancelled below, which those would refuse).
            let orderC = try #require(try await admin.placeOrder(userID: userA, items: [(product, 1)]).json["id"].int)
            let lonely = try await admin.createUser(email: "lonely@example.com")

            let productBody = #"{"name": "P", "price": 1.5, "quantity": 3}"#
            let userBody = #"{"name": "N", "email": "n@example.com", "phone": "5551234567"}"#
            let rules: [Rule] = [
                Rule(method: .get, path: "/", anonymous: .ok, customer: .ok, admin: .ok),
                Rule(method: .get, path: "/health", anonymous: .ok, customer: .ok, admin: .ok),
                Rule(method: .get, path: "/ready", anonymous: .ok, customer: .ok, admin: .ok),
                Rule(method: .get, path: "/products", anonymous: .ok, customer: .ok, admin: .ok),
                Rule(method: .get, path: "/products/\(product)", anonymous: .ok, customer: .ok, admin: .ok),
                Rule(method: .post, path: "/products", body: productBody, anonymous: .unauthorized, customer: .forbidden, admin: .created),
                // Rights are decided before the body is read: an invalid body still gets 401/403.
                Rule(method: .post, path: "/products", body: "{}", anonymous: .unauthorized, customer: .forbidden, admin: .badRequest),
                Rule(method: .put, path: "/products/\(product)", body: #"{"name": "P", "price": 2, "quantity": 999}"#,
                     anonymous: .unauthorized, customer: .forbidden, admin: .ok),
                Rule(method: .patch, path: "/products/\(product)", body: #"{"name": "Q"}"#, anonymous: .unauthorized, customer: .forbidden, admin: .ok),
                Rule(method: .put, path: "/products/\(product)/stock", body: #"{"quantity": 900}"#, anonymous: .unauthorized, customer: .forbidden, admin: .ok),
                Rule(method: .post, path: "/products/\(product)/stock/adjustments", body: #"{"delta": 5}"#,
                     anonymous: .unauthorized, customer: .forbidden, admin: .created),
                Rule(method: .get, path: "/products/\(product)/stock/movements", anonymous: .unauthorized, customer: .forbidden, admin: .ok),
                Rule(method: .delete, path: "/products/\(spare)", anonymous: .unauthorized, customer: .forbidden, admin: .noContent),

                Rule(method: .get, path: "/users", anonymous: .unauthorized, customer: .forbidden, admin: .ok),
                Rule(method: .post, path: "/users", body: userBody, anonymous: .unauthorized, customer: .forbidden, admin: .created),
                Rule(method: .post, path: "/user", body: "{}", anonymous: .unauthorized, customer: .forbidden, admin: .badRequest),
                Rule(method: .get, path: "/users/\(userA)", anonymous: .unauthorized, customer: .ok, admin: .ok),
                Rule(method: .get, path: "/users/\(userB)", anonymous: .unauthorized, customer: .notFound, admin: .ok),
                Rule(method: .patch, path: "/users/\(userA)", body: #"{"name": "Alice A."}"#, anonymous: .unauthorized, customer: .ok, admin: .ok),
                Rule(method: .patch, path: "/users/\(userB)", body: "[]", anonymous: .unauthorized, customer: .notFound, admin: .badRequest),
                Rule(method: .put, path: "/users/\(userA)", body: #"{"name": "Alice", "email": "alice@example.com", "phone": "5551234567"}"#,
                     anonymous: .unauthorized, customer: .ok, admin: .ok),
                Rule(method: .put, path: "/users/\(userB)", body: "{}", anonymous: .unauthorized, customer: .notFound, admin: .badRequest),
                Rule(method: .delete, path: "/users/\(userA)", anonymous: .unauthorized, customer: .forbidden, admin: .conflict),
                Rule(method: .delete, path: "/users/\(lonely)", anonymous: .unauthorized, customer: .forbidden, admin: .noContent),

                Rule(method: .get, path: "/accounts", anonymous: .unauthorized, customer: .forbidden, admin: .ok),
                Rule(method: .post, path: "/accounts", body: "{}", anonymous: .unauthorized, customer: .forbidden, admin: .badRequest),
                Rule(method: .get, path: "/accounts/\(accountA)", anonymous: .unauthorized, customer: .forbidden, admin: .ok),
                Rule(method: .patch, path: "/accounts/\(accountA)", body: "{}", anonymous: .unauthorized, customer: .forbidden, admin: .ok),
                Rule(method: .put, path: "/accounts/\(accountA)", body: "{}", anonymous: .unauthorized, customer: .forbidden, admin: .badRequest),
                Rule(method: .delete, path: "/accounts/999", anonymous: .unauthorized, customer: .forbidden, admin: .notFound),
                Rule(method: .get, path: "/users/\(userA)/account", anonymous: .unauthorized, customer: .ok, admin: .ok),
                Rule(method: .get, path: "/users/\(userB)/account", anonymous: .unauthorized, customer: .notFound, admin: .ok),
                Rule(method: .patch, path: "/users/\(userA)/account", body: "{}", anonymous: .unauthorized, customer: .ok, admin: .ok),
                Rule(method: .put, path: "/users/\(userB)/account", body: "{}", anonymous: .unauthorized, customer: .notFound, admin: .badRequest),
                Rule(method: .delete, path: "/users/\(lonely)/account", anonymous: .unauthorized, customer: .forbidden, admin: .notFound),

                Rule(method: .post, path: "/orders", body: #"{"user_id": \#(userA), "product_ids": [\#(product)]}"#,
                     anonymous: .unauthorized, customer: .created, admin: .created),
                Rule(method: .post, path: "/orders", body: #"{"user_id": \#(userB), "product_ids": [\#(product)]}"#,
                     anonymous: .unauthorized, customer: .forbidden, admin: .created),
                Rule(method: .get, path: "/orders", anonymous: .unauthorized, customer: .ok, admin: .ok),
                Rule(method: .get, path: "/orders/\(orderA)", anonymous: .unauthorized, customer: .ok, admin: .ok),
                Rule(method: .get, path: "/orders/\(orderB)", anonymous: .unauthorized, customer: .notFound, admin: .ok),
                Rule(method: .post, path: "/orders/\(orderC)/payments", body: #"{"amount": 0.01, "method": "cash"}"#,
                     anonymous: .unauthorized, customer: .forbidden, admin: .created),
                Rule(method: .post, path: "/orders/\(orderC)/fulfillments", body: "{}", anonymous: .unauthorized, customer: .forbidden, admin: .created),
                Rule(method: .post, path: "/orders/\(orderC)/refunds", body: #"{"amount": 0.01}"#,
                     anonymous: .unauthorized, customer: .forbidden, admin: .created),
                Rule(method: .get, path: "/orders/\(orderC)/payments", anonymous: .unauthorized, customer: .ok, admin: .ok),
                Rule(method: .get, path: "/orders/\(orderC)/payments?limit=0", anonymous: .unauthorized, customer: .badRequest, admin: .badRequest),
                Rule(method: .get, path: "/orders/\(orderC)/refunds", anonymous: .unauthorized, customer: .ok, admin: .ok),
                Rule(method: .get, path: "/orders/\(orderC)/fulfillments", anonymous: .unauthorized, customer: .ok, admin: .ok),
                Rule(method: .get, path: "/orders/\(orderB)/payments", anonymous: .unauthorized, customer: .notFound, admin: .ok),
                Rule(method: .get, path: "/orders/\(orderB)/refunds", anonymous: .unauthorized, customer: .notFound, admin: .ok),
                Rule(method: .get, path: "/orders/\(orderB)/fulfillments", anonymous: .unauthorized, customer: .notFound, admin: .ok),
                Rule(method: .delete, path: "/orders/\(orderB)", anonymous: .unauthorized, customer: .notFound, admin: .ok),
                Rule(method: .delete, path: "/orders/\(orderA)", anonymous: .unauthorized, customer: .ok, admin: .conflict),
                Rule(method: .get, path: "/users/\(userA)/orders", anonymous: .unauthorized, customer: .ok, admin: .ok),
                Rule(method: .get, path: "/users/\(userB)/orders", anonymous: .unauthorized, customer: .notFound, admin: .ok),

                Rule(method: .get, path: "/auth/me", anonymous: .unauthorized, customer: .ok, admin: .ok),
            ]

            for rule in rules {
                for (role, caller, expected) in [("anyone", admin.anonymous, rule.anonymous), ("customer", customer, rule.customer),
                                                 ("admin", admin, rule.admin)] {
                    guard let expected else { continue }
                    let response = try await caller.send(rule.method, rule.path, body: rule.body)
                    #expect(response.status == expected, "\(role) \(rule.method) \(rule.path): \(response.body)")
                    if response.status.code >= 400 { #expect(response.json["error"].bool == true) }
                    if expected == .unauthorized { #expect(response.headers[.wwwAuthenticate] == "Bearer") }
                }
            }

            // A customer's lists hold only their own orders, whatever they ask for.
            let own = try await customer.get("/orders?user_id=\(userB)").json.array
            #expect(!own.isEmpty && own.allSatisfy { $0["user_id"].int == userA })
            // Another customer's data never appears in any answer to the customer.
            let bodies = try await [customer.get("/users/\(userB)"), customer.get("/orders/\(orderB)"), customer.get("/users/\(userB)/account")]
            #expect(bodies.allSatisfy { !$0.body.contains("bob@example.com") && !$0.body.contains("\"bob\"") })
        }
    }
}
