@testable import App
@testable import JSONSupport
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing
import TestSupport
import Webhooks

/// Outgoing webhooks end to end against a receiver on loopback: registration rules, the outbox
/// (an event commits with its change, a refused change sends nothing), Standard Webhooks signatures,
/// retries with the same id, failure, manual retry, rotation and test events.
@Suite struct WebhookTests {
    /// The app with deliveries allowed to loopback and quick retries, and an endpoint at the receiver
    /// for `events`; the test gets the endpoint's id and secret.
    private func withEndpoint(
        events: String = #"["*"]"#, retries: [Int] = [0, 0], configure: @escaping @Sendable (inout AppConfig) -> Void = { _ in },
        _ test: @Sendable (APIClient, WebhookReceiver, Int64, WebhookSecret) async throws -> Void
    ) async throws {
        try await WebhookReceiver.run { receiver, base in
            try await withApp(configure: { config in
                config.webhooks.allowInsecure = true
                config.webhooks.retryDelays = retries
                config.webhooks.pollInterval = WebhookSettings().pollInterval
                configure(&config)
            }) { admin in
                let created = try await admin.post("/webhooks", #"{"url": "\#(base)/hooks", "events": \#(events), "description": "test"}"#)
                #expect(created.status == .created, "\(created.body)")
                let secret = try #require(created.json["secret"].string.flatMap(WebhookSecret.init))
                try await test(admin, receiver, try #require(created.json["id"].int), secret)
            }
        }
    }

    /// Whether `delivery` carries a signature by `secret` over exactly what it received.
    private func isSigned(_ delivery: WebhookReceiver.Delivery, by secret: WebhookSecret) -> Bool {
        guard let id = delivery.header("webhook-id"), let timestamp = delivery.header("webhook-timestamp").flatMap({ Int($0) }),
              let signatures = delivery.header("webhook-signature")
        else { return false }
        let expected = StandardWebhooks.signature(id: id, timestamp: timestamp, body: Array(delivery.body.utf8), secret: secret)
        return signatures.split(separator: " ").contains { $0 == expected }
    }

    @Test func anOrderAndItsEventCommitTogetherAndARefusedOrderSendsNothing() async throws {
        try await withEndpoint(events: #"["order.placed"]"#) { admin, receiver, endpoint, secret in
            let user = try await admin.createUser()
            let product = try await admin.createProduct(price: "4.25", quantity: 2)
            let placed = try await admin.placeOrder(userID: user, items: [(product, 2)])
            #expect(placed.status == .created)
            #expect(try await admin.placeOrder(userID: user, items: [(product, 1)]).status == .conflict, "out of stock")
            let delivery = try #require(try await receiver.waitFor(1).first)
            #expect(isSigned(delivery, by: secret))
            #expect(delivery.header("content-type") == "application/json")
            // `msg_`, then the event's time in milliseconds, so that ids sort by time (placed alone or
            // together with other orders by one statement), then random digits.
            let id = try #require(delivery.header("webhook-id"))
            #expect(id.wholeMatch(of: /msg_[0-9a-f]{32}/) != nil, "\(id)")
            let made = try #require(Int64(id.dropFirst(4).prefix(12), radix: 16)) / 1000
            let sent = try #require(delivery.header("webhook-timestamp").flatMap { Int64($0) })
            #expect((0...60).contains(sent - made), "made at \(made), sent at \(sent)")
            let body = try JSONValue(parsing: Array(delivery.body.utf8))
            #expect(body["type"].string == "order.placed" && body["timestamp"].string != nil)
            #expect(body["data"] == placed.json, "the order exactly as the API answered its placement")
            // Nothing more arrives: the refused order wrote no event, and product events are not subscribed.
            try await Task.sleep(for: .milliseconds(600))
            #expect(await receiver.deliveries.count == 1)
            try await eventually("the delivery recorded as delivered") {
                try await admin.get("/webhooks/\(endpoint)/deliveries").json.array.map { $0["status"].string } == ["delivered"]
            }
        }
    }

    @Test func aFailingReceiverIsRetriedWithTheSameIdUntilItAnswers() async throws {
        try await withEndpoint(events: #"["product.created"]"#) { admin, receiver, endpoint, secret in
            await receiver.answer([.internalServerError, .found])
            _ = try await admin.createProduct()
            let attempts = try await receiver.waitFor(3)
            #expect(Set(attempts.map { $0.header("webhook-id") }).count == 1, "every attempt carries the event's id")
            #expect(attempts.allSatisfy { isSigned($0, by: secret) })
            try await eventually("the delivery recorded as delivered") {
                try await admin.get("/webhooks/\(endpoint)/deliveries?status=delivered").json.array.first?["attempts"].int == 3
            }
            let delivery = try await admin.get("/webhooks/\(endpoint)/deliveries").json.array[0]
            #expect(delivery["event_type"].string == "product.created" && delivery["last_status_code"].int == 204)
        }
    }

    @Test func aReceiverThatAlwaysFailsEndsFailedAndAManualRetrySendsAgain() async throws {
        try await withEndpoint(events: #"["product.created"]"#, retries: [0]) { admin, receiver, endpoint, _ in
            await receiver.answer([.serviceUnavailable, .serviceUnavailable])
            _ = try await admin.createProduct()
            _ = try await receiver.waitFor(2)
            try await eventually("the delivery marked failed") {
                try await admin.get("/webhooks/\(endpoint)/deliveries?status=failed").json.array.count == 1
            }
            let failed = try await admin.get("/webhooks/\(endpoint)/deliveries?status=failed").json.array[0]
            #expect(failed["attempts"].int == 2 && failed["last_status_code"].int == 503 && failed["last_error"].string == "answered 503")
            let retry = try await admin.send(.post, "/webhooks/\(endpoint)/deliveries/\(try #require(failed["id"].int))/retry")
            #expect(retry.status == .accepted)
            let all = try await receiver.waitFor(3)
            #expect(all[2].header("webhook-id") == all[0].header("webhook-id"))
            try await eventually("the retried delivery delivered") {
                try await admin.get("/webhooks/\(endpoint)/deliveries?status=delivered").json.array.count == 1
            }
            #expect(try await admin.send(.post, "/webhooks/\(endpoint)/deliveries/999999/retry").status == .notFound)
        }
    }

    @Test func afterARotationBothSecretsSignUntilTheOverlapEnds() async throws {
        try await withEndpoint(events: #"["product.created"]"#) { admin, receiver, endpoint, old in
            let rotated = try await admin.send(.post, "/webhooks/\(endpoint)/rotate-secret")
            #expect(rotated.status == .ok)
            let new = try #require(rotated.json["secret"].string.flatMap(WebhookSecret.init))
            #expect(new != old && rotated.json["secret_hint"].string == new.hint)
            #expect(try await admin.get("/webhooks/\(endpoint)").json["secret"].isNull, "the secret is shown once")
            _ = try await admin.createProduct()
            let delivery = try #require(try await receiver.waitFor(1).first)
            #expect(isSigned(delivery, by: new) && isSigned(delivery, by: old))
            #expect(delivery.header("webhook-signature")?.split(separator: " ").count == 2)
        }
    }

    @Test func aTestEventGoesToItsEndpointAloneAndLifecycleAndStockEventsFollowTheirChanges() async throws {
        try await withEndpoint(events: #"["order.paid", "product.stock_low", "product.out_of_stock"]"#) { admin, receiver, endpoint, _ in
            let test = try await admin.send(.post, "/webhooks/\(endpoint)/test")
            #expect(test.status == .accepted && test.json["event_id"].string?.hasPrefix("msg_") == true)
            let product = try await admin.createProduct(price: "3", quantity: 6)
            let order = try #require(try await admin.placeOrder(userID: try await admin.createUser(), items: [(product, 2)]).json["id"].int)
            #expect(try await admin.post("/orders/\(order)/payments", #"{"amount": 6, "method": "cash"}"#).status == .created)
            #expect(try await admin.put("/products/\(product)/stock", #"{"quantity": 0}"#).status == .ok)
            let types = try await receiver.waitFor(4).map { try JSONValue(parsing: Array($0.body.utf8))["type"].string ?? "" }
            #expect(types.sorted() == ["order.paid", "product.out_of_stock", "product.stock_low", "webhook.test"])
            let bodies = try await receiver.deliveries.map { try JSONValue(parsing: Array($0.body.utf8)) }
            let stockLow = try #require(bodies.first { $0["type"].string == "product.stock_low" })
            #expect(stockLow["data"]["quantity"].int == 4, "the stock the order left")
            #expect(bodies.first { $0["type"].string == "webhook.test" }?["data"]["id"].int == endpoint)
        }
    }

    @Test(arguments: [
        (#"{"url": "http://example.com/hooks", "events": ["*"]}"#, "url"),
        (#"{"url": "https://127.0.0.1/hooks", "events": ["*"]}"#, "url"),
        (#"{"url": "https://localhost/hooks", "events": ["*"]}"#, "url"),
        (#"{"url": "https://[::1]/hooks", "events": ["*"]}"#, "url"),
        (#"{"url": "https://10.1.2.3/hooks", "events": ["*"]}"#, "url"),
        (#"{"url": "https://169.254.169.254/latest", "events": ["*"]}"#, "url"),
        (#"{"url": "/relative", "events": ["*"]}"#, "url"),
        (#"{"url": "https://93.184.216.34/hooks", "events": []}"#, "events"),
        (#"{"url": "https://93.184.216.34/hooks", "events": ["order.shipped"]}"#, "events"),
        (#"{"url": "https://93.184.216.34/hooks", "events": ["*", "order.placed"]}"#, "events"),
        (#"{"url": "https://93.184.216.34/hooks", "events": ["webhook.test"]}"#, "events"),
    ])
    func registrationsThatCouldNotBeSafelyDeliveredAreRefusedByField(body: String, field: String) async throws {
        try await withApp { admin in
            let response = try await admin.post("/webhooks", body)
            #expect(response.status == .badRequest, "\(response.body)")
            #expect(response.json["details"].keys == [field])
        }
    }

    @Test func aPublicEndpointIsRegisteredForAdminsOnlyWithItsSecretShownOnce() async throws {
        try await withApp { admin in
            let long = "https://93.184.216.34/" + String(repeating: "a", count: 2030)
            #expect(try await admin.post("/webhooks", #"{"url": "\#(long)", "events": ["*"]}"#).status == .badRequest)
            let created = try await admin.post("/webhooks", #"{"url": "https://93.184.216.34/hooks", "events": ["order.placed"]}"#)
            #expect(created.status == .created && created.json["enabled"].bool == true)
            let secret = try #require(created.json["secret"].string)
            #expect(WebhookSecret(secret) != nil && created.json["secret_hint"].string == String(secret.suffix(4)))
            let id = try #require(created.json["id"].int)
            #expect(try await admin.get("/webhooks").json.array.map { $0["id"].int } == [id])
            let patched = try await admin.patch("/webhooks/\(id)", #"{"enabled": false, "description": "paused"}"#)
            #expect(patched.json["enabled"].bool == false && patched.json["description"].string == "paused")
            let customer = try await admin.anonymous.post("/auth/register", AuthTests.registration("dora"))
            #expect(try await admin.as(try #require(customer.json["token"].string)).get("/webhooks").status == .forbidden)
            #expect(try await admin.delete("/webhooks/\(id)").status == .noContent)
            #expect(try await admin.get("/webhooks/\(id)").status == .notFound)
        }
    }
}
