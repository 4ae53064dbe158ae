@testable import App
@testable import JSONSupport
import Foundation
import HTTPTypes
import Stripe
import HummingbirdTesting
import Testing
import TestSupport

/// Card payments through Stripe against `FakeStripe` on loopback: checkout, the webhook's signature
/// and exactly-once events, and refunds that go back through Stripe without being counted twice.
@Suite struct CardPaymentTests {
    static let webhookSecret = "whsec_test_secret_for_card_payment_tests"

    private func amount(_ text: String) -> JSONValue { JSONNumber(text).map(JSONValue.number) ?? .null }

    /// The app with Stripe configured against the fake, and a placed order of `total` ("12.34").
    private func withStripe(
        _ testing: TestingSetup = .router, total: String = "25.00", clock: TestClock = TestClock(),
        _ test: @Sendable (APIClient, FakeStripe, Int64) async throws -> Void
    ) async throws {
        try await FakeStripe.run { fake, base in
            try await withApp(testing, configure: { config in
                config.stripe.secretKey = FakeStripe.secretKey
                config.stripe.webhookSecret = Self.webhookSecret
                config.stripe.apiBase = base
            }, clock: clock) { admin in
                let user = try await admin.createUser()
                let product = try await admin.createProduct(price: total, quantity: 50)
                let orderID = try #require(try await admin.placeOrder(userID: user, items: [(product, 1)]).json["id"].int)
                try await test(admin, fake, orderID)
                #expect(await fake.violations.isEmpty)
            }
        }
    }

    /// Posts `event` to the webhook signed as Stripe signs it, `age` seconds ago.
    private func deliver(_ event: String, to client: APIClient, secret: String = webhookSecret, age: Int = 0) async throws -> APIResponse {
        let timestamp = Int(Date().timeIntervalSince1970) - age
        let header = StripeSignature.header(payload: Array(event.utf8), secret: secret, timestamp: timestamp)
        return try await client.anonymous.send(.post, "/stripe/webhook", body: event, headers: [.stripeSignature: header])
    }

    static func succeeded(_ intent: String, order: Int64, cents: Int, event: String = "evt_\(UUID().uuidString)") -> String {
        #"{"id": "\#(event)", "object": "event", "type": "payment_intent.succeeded", "data": {"object": {"id": "\#(intent)", "object": "payment_intent", "amount": \#(cents), "amount_received": \#(cents), "currency": "usd", "metadata": {"order_id": "\#(order)"}}}}"#
    }

    static func chargeRefunded(_ intent: String, cents: Int, refunded: Int) -> String {
        #"{"id": "evt_\#(UUID().uuidString)", "object": "event", "type": "charge.refunded", "data": {"object": {"id": "ch_1", "object": "charge", "payment_intent": "\#(intent)", "amount": \#(cents), "amount_refunded": \#(refunded), "currency": "usd"}}}"#
    }

    @Test func checkoutCreatesAPaymentIntentForTheBalanceDue() async throws {
        try await withStripe(total: "25.00") { admin, fake, orderID in
            #expect(try await admin.post("/orders/\(orderID)/payments", #"{"amount": 5.5, "method": "cash"}"#).status == .created)
            let checkout = try await admin.send(.post, "/orders/\(orderID)/checkout")
            #expect(checkout.status == .created, "\(checkout.body)")
            #expect(checkout.json["provider"].string == "stripe" && checkout.json["amount"] == amount("19.50"))
            #expect(checkout.json["currency"].string == "USD")
            #expect(checkout.json["client_secret"].string?.hasPrefix(checkout.json["payment_intent_id"].string ?? "?") == true)
            let call = try #require(await fake.calls(to: "/v1/payment_intents").first)
            #expect(call.fields == ["amount": "1950", "currency": "usd", "metadata[order_id]": "\(orderID)",
                                    "automatic_payment_methods[enabled]": "true"])
            #expect(call.idempotencyKey == "ecommerce-order-\(orderID)-checkout-1950")
            // Asking again for the same balance gets the same PaymentIntent (Stripe replays the key).
            let again = try await admin.send(.post, "/orders/\(orderID)/checkout")
            #expect(again.json["payment_intent_id"] == checkout.json["payment_intent_id"])
        }
    }

    @Test func checkoutIsRefusedWithoutStripeForAPaidOrderAndForOthersOrders() async throws {
        try await withApp { admin in
            let order = try #require(try await admin.placeOrder(userID: try await admin.createUser(), items: [(try await admin.createProduct(), 1)]).json["id"].int)
            let response = try await admin.send(.post, "/orders/\(order)/checkout")
            #expect(response.status == .conflict && response.json["reason"].string == "Card payments are not configured.")
            let webhook = try await admin.anonymous.send(.post, "/stripe/webhook", body: "{}")
            #expect(webhook.status == .conflict)
        }
        try await withStripe(total: "10.00") { admin, fake, orderID in
            #expect(try await admin.anonymous.send(.post, "/orders/\(orderID)/checkout").status == .unauthorized)
            let customer = try await admin.anonymous.post("/auth/register", AuthTests.registration("carol"))
            let carol = admin.as(try #require(customer.json["token"].string))
            #expect(try await carol.send(.post, "/orders/\(orderID)/checkout").status == .notFound)
            #expect(try await admin.post("/orders/\(orderID)/payments", #"{"amount": 10, "method": "cash"}"#).status == .created)
            let paid = try await admin.send(.post, "/orders/\(orderID)/checkout")
            #expect(paid.status == .conflict && paid.json["reason"].string == "Order \(orderID) is paid; nothing is due.")
            #expect(await fake.calls.isEmpty)
        }
    }

    @Test func aStripeFailureIsA502AndRecordsNothing() async throws {
        try await withStripe { admin, fake, orderID in
            await fake.fail(HTTPResponse.Status(code: 402), message: "Your card was declined.")
            let checkout = try await admin.send(.post, "/orders/\(orderID)/checkout")
            #expect(checkout.status == .badGateway)
            #expect(checkout.json["reason"].string == "Stripe did not create a payment: Your card was declined.")
            await fake.succeed()
            let intent = try #require(try await admin.send(.post, "/orders/\(orderID)/checkout").json["payment_intent_id"].string)
            #expect(try await deliver(Self.succeeded(intent, order: orderID, cents: 2500), to: admin).status == .ok)
            await fake.fail(.internalServerError, message: "Something went wrong on Stripe's end.")
            let refund = try await admin.post("/orders/\(orderID)/refunds", #"{"amount": 5}"#)
            #expect(refund.status == .badGateway && refund.json["reason"].string?.contains("Something went wrong on Stripe's end.") == true)
            #expect(try await admin.get("/orders/\(orderID)").json["amount_refunded"] == amount("0"))
            await fake.succeed()
            // The failed attempt's reservation is gone: the whole amount can still be refunded.
            #expect(try await admin.post("/orders/\(orderID)/refunds", #"{"amount": 25}"#).status == .created)
        }
    }

    @Test func aSucceededPaymentIntentIsRecordedOncePerEventAndPerIntent() async throws {
        try await withStripe(total: "25.00") { admin, fake, orderID in
            let intent = try #require(try await admin.send(.post, "/orders/\(orderID)/checkout").json["payment_intent_id"].string)
            let event = Self.succeeded(intent, order: orderID, cents: 2500, event: "evt_once")
            let first = try await deliver(event, to: admin)
            #expect(first.status == .ok && first.json["received"].bool == true)
            #expect(try await deliver(event, to: admin).status == .ok)
            #expect(try await deliver(Self.succeeded(intent, order: orderID, cents: 2500), to: admin).status == .ok)
            let payments = try await admin.get("/orders/\(orderID)/payments").json.array
            #expect(payments.count == 1)
            #expect(payments.first?["provider"].string == "stripe" && payments.first?["method"].string == "card")
            #expect(payments.first?["reference"].string == intent && payments.first?["amount"] == amount("25.00"))
            #expect(try await admin.get("/orders/\(orderID)").json["payment_status"].string == "paid")
        }
    }

    @Test(arguments: ["tampered", "wrong secret", "stale", "missing", "not an event"])
    func aDeliveryThatIsNotStripesIsRefusedAndChangesNothing(case name: String) async throws {
        try await withStripe { admin, _, orderID in
            let event = Self.succeeded("pi_forged", order: orderID, cents: 2500)
            let response: APIResponse
            switch name {
            case "tampered":
                let header = StripeSignature.header(payload: Array(event.utf8), secret: Self.webhookSecret, timestamp: Int(Date().timeIntervalSince1970))
                response = try await admin.anonymous.send(.post, "/stripe/webhook", body: event.replacingOccurrences(of: "2500", with: "1"),
                                                          headers: [.stripeSignature: header])
            case "wrong secret": response = try await deliver(event, to: admin, secret: "whsec_someone_else")
            case "stale": response = try await deliver(event, to: admin, age: 301)
            case "missing": response = try await admin.anonymous.send(.post, "/stripe/webhook", body: event)
            default: response = try await deliver(#"{"id": "evt_1", "type": "payment_intent.succeeded"}"#, to: admin)
            }
            #expect(response.status == .badRequest, "\(response.body)")
            #expect(try await admin.get("/orders/\(orderID)/payments").json.array.isEmpty)
        }
    }

    /// The contract documents 415 for a body declared as anything but JSON, as for every JSON body.
    @Test func aDeliveryDeclaredAsAnotherTypeIsRefusedWith415() async throws {
        try await withStripe { admin, _, orderID in
            let event = Self.succeeded("pi_plain", order: orderID, cents: 2500)
            let header = StripeSignature.header(payload: Array(event.utf8), secret: Self.webhookSecret, timestamp: Int(Date().timeIntervalSince1970))
            let response = try await admin.anonymous.send(.post, "/stripe/webhook", body: event,
                                                          headers: [.stripeSignature: header, .contentType: "text/plain"])
            #expect(response.status == .unsupportedMediaType, "\(response.body)")
            #expect(try await admin.get("/orders/\(orderID)/payments").json.array.isEmpty)
        }
    }

    @Test func eventsForUnknownOrCancelledOrdersAndOtherTypesAreAcknowledgedAndIgnored() async throws {
        let logs = LogCapture()
        try await FakeStripe.run { _, base in
            try await withApp(configure: {
                $0.stripe.webhookSecret = Self.webhookSecret
                $0.stripe.apiBase = base
            }, logger: logs.logger) { admin in
                let order = try #require(try await admin.placeOrder(userID: try await admin.createUser(), items: [(try await admin.createProduct(), 1)]).json["id"].int)
                #expect(try await admin.delete("/orders/\(order)").status == .ok)
                #expect(try await deliver(Self.succeeded("pi_late", order: order, cents: 999), to: admin).status == .ok)
                #expect(try await deliver(Self.succeeded("pi_lost", order: 987_654, cents: 999), to: admin).status == .ok)
                let other = #"{"id": "evt_other", "type": "customer.created", "data": {"object": {"id": "cus_1"}}}"#
                #expect(try await deliver(other, to: admin).status == .ok)
                #expect(try await admin.get("/orders/\(order)/payments").json.array.isEmpty)
                #expect(logs.text.contains("Order \(order) is cancelled; it cannot be paid."))
                #expect(logs.text.contains("there is no order 987654"))
            }
        }
    }

    @Test func aRefundGoesThroughStripeAndItsEventIsNotCountedTwice() async throws {
        try await withStripe(total: "25.00") { admin, fake, orderID in
            let intent = try #require(try await admin.send(.post, "/orders/\(orderID)/checkout").json["payment_intent_id"].string)
            #expect(try await deliver(Self.succeeded(intent, order: orderID, cents: 2500), to: admin).status == .ok)
            let refund = try await admin.send(.post, "/orders/\(orderID)/refunds", body: #"{"amount": 10, "reason": "damaged"}"#,
                                              headers: [.idempotencyKey: "refund-1"])
            #expect(refund.status == .created, "\(refund.body)")
            let call = try #require(await fake.calls(to: "/v1/refunds").first)
            #expect(call.fields == ["payment_intent": intent, "amount": "1000"])
            // A retry of the same request is answered from the record; Stripe is not asked again.
            let replay = try await admin.send(.post, "/orders/\(orderID)/refunds", body: #"{"amount": 10, "reason": "damaged"}"#,
                                              headers: [.idempotencyKey: "refund-1"])
            let refundCalls = await fake.calls(to: "/v1/refunds")
            #expect(replay.json["id"] == refund.json["id"] && refundCalls.count == 1)
            // Stripe's event for that refund: already in the books.
            #expect(try await deliver(Self.chargeRefunded(intent, cents: 2500, refunded: 1000), to: admin).status == .ok)
            #expect(try await admin.get("/orders/\(orderID)").json["amount_refunded"] == amount("10.00"))
            // A refund made in Stripe's dashboard: the cumulative amount grows by 4.50, recorded once.
            let dashboard = Self.chargeRefunded(intent, cents: 2500, refunded: 1450)
            #expect(try await deliver(dashboard, to: admin).status == .ok)
            #expect(try await deliver(Self.chargeRefunded(intent, cents: 2500, refunded: 1450), to: admin).status == .ok)
            let order = try await admin.get("/orders/\(orderID)").json
            #expect(order["amount_refunded"] == amount("14.50") && order["payment_status"].string == "partially_refunded")
            let refunds = try await admin.get("/orders/\(orderID)/refunds").json.array
            #expect(refunds.map { $0["amount"] } == [amount("10.00"), amount("4.50")])
            #expect(refunds.last?["reason"].string == "Refunded in Stripe")
            // More than the payment has left is refused before Stripe is asked.
            #expect(try await admin.post("/orders/\(orderID)/refunds", #"{"amount": 10.51}"#).status == .conflict)
            let callsAfterRefusal = await fake.calls(to: "/v1/refunds")
            #expect(callsAfterRefusal.count == 1)
        }
    }

    @Test func concurrentRefundsThroughStripeNeverExceedWhatWasPaid() async throws {
        try await withStripe(.live, total: "10.00") { admin, fake, orderID in
            _ = try await paid(orderID, admin, cents: 1000)
            let statuses = try await concurrently(24, admin, .post, "/orders/\(orderID)/refunds", body: #"{"amount": 1}"#)
            #expect(statuses.filter { $0 == .created }.count == 10)
            #expect(statuses.allSatisfy { $0 == .created || $0 == .conflict })
            #expect(try await admin.get("/orders/\(orderID)").json["amount_refunded"] == amount("10.00"))
            let refundCalls = await fake.calls(to: "/v1/refunds")
            #expect(refundCalls.count == 10)
        }
    }

    @Test func aChargeRefundedEventWaitsForARefundStillOnItsWayToStripe() async throws {
        try await withStripe(total: "10.00") { admin, fake, orderID in
            let intent = try await paid(orderID, admin, cents: 1000)
            await fake.hold()
            async let refund = admin.post("/orders/\(orderID)/refunds", #"{"amount": 4}"#)
            try await eventually("the refund reaching Stripe") { await fake.calls(to: "/v1/refunds").count == 1 }
            // Stripe's event outruns its answer: it is refused, so Stripe delivers it again later.
            #expect(try await deliver(Self.chargeRefunded(intent, cents: 1000, refunded: 400), to: admin).status == .conflict)
            await fake.release()
            #expect(try await refund.status == .created)
            #expect(try await deliver(Self.chargeRefunded(intent, cents: 1000, refunded: 400), to: admin).status == .ok)
            #expect(try await admin.get("/orders/\(orderID)").json["amount_refunded"] == amount("4.00"))
        }
    }

    @Test func aReservationLeftTooLongIsTakenOverByStripesEvent() async throws {
        let clock = TestClock(frozen: true)
        try await withStripe(total: "10.00", clock: clock) { admin, fake, orderID in
            let intent = try await paid(orderID, admin, cents: 1000)
            await fake.hold()
            async let refund = admin.post("/orders/\(orderID)/refunds", #"{"amount": 4}"#)
            try await eventually("the refund reaching Stripe") { await fake.calls(to: "/v1/refunds").count == 1 }
            // Past ten minutes a reservation counts as left by a crash: the event records what Stripe refunded.
            clock.advance(by: 601)
            #expect(try await deliver(Self.chargeRefunded(intent, cents: 1000, refunded: 400), to: admin, age: -601).status == .ok)
            await fake.release()
            #expect(try await refund.status == .conflict, "the event recorded it; the late answer records nothing more")
            #expect(try await admin.get("/orders/\(orderID)").json["amount_refunded"] == amount("4.00"))
        }
    }

    /// Checks the order out and delivers Stripe's `payment_intent.succeeded` for it; returns the intent.
    private func paid(_ orderID: Int64, _ admin: APIClient, cents: Int) async throws -> String {
        let intent = try #require(try await admin.send(.post, "/orders/\(orderID)/checkout").json["payment_intent_id"].string)
        #expect(try await deliver(Self.succeeded(intent, order: orderID, cents: cents), to: admin).status == .ok)
        return intent
    }
}
