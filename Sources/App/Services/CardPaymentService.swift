import Foundation
import JSONSupport
import Logging
import Stripe

/// Card payments through Stripe: a PaymentIntent for an order's balance, for a storefront to confirm
/// with Stripe's own libraries, and Stripe's events, which record what Stripe says was paid or refunded.
/// The rules are the lifecycle's (`OrderProgress`); this service only translates.
public struct CardPaymentService: Sendable {
    let store: any Store
    let currency: Currency
    let stripe: StripeAPI?
    let webhookSecret: String?
    let now: @Sendable () -> Date

    static let notConfigured = AppError.conflict("Card payments are not configured.")

    struct Checkout: Sendable, Equatable {
        var paymentIntentID: String
        var clientSecret: String
        var amount: Money
    }

    /// A PaymentIntent for what is left to pay on the order (the caller may see it: 404 otherwise).
    /// Its `Idempotency-Key` is the order and the amount, so asking again returns the same intent.
    func checkout(orderID: Int64, caller: Caller, orders: OrderService) async throws -> Checkout {
        guard let stripe else { throw Self.notConfigured }
        _ = try await orders.order(id: orderID, visibleTo: caller)
        let progress = try await store.transaction { session in
            guard let progress = try await session.orderProgress(id: orderID) else { throw AppError.missing("order", orderID) }
            return progress
        }
        if let refusal = progress.checkoutRefusal { throw refusal }
        do {
            let intent = try await stripe.createPaymentIntent(
                amount: progress.balanceDue.cents, currency: currency.code, orderID: orderID,
                idempotencyKey: "ecommerce-order-\(orderID)-checkout-\(progress.balanceDue.cents)")
            return Checkout(paymentIntentID: intent.id, clientSecret: intent.clientSecret, amount: Money(cents: intent.amount))
        } catch {
            throw AppError.upstream("Stripe did not create a payment: \(error.message)")
        }
    }

    /// A delivery to `POST /stripe/webhook`: verified against its signature, then applied once per
    /// event id. Events for orders that cannot take them are logged and acknowledged, so Stripe does
    /// not retry what will never apply.
    func receive(payload: [UInt8], signature: String?, logger: Logger) async throws {
        guard let webhookSecret else { throw Self.notConfigured }
        do {
            try StripeSignature.verify(payload: payload, header: signature, secret: webhookSecret, now: now())
        } catch {
            throw AppError.badRequest("\(error) Nothing was recorded.")
        }
        let document: JSONValue
        do {
            document = try payload.withUnsafeBytes { try JSONParser.parse($0) }
        } catch {
            throw AppError.badRequest("The event is not valid JSON: \(error).")
        }
        guard let event = StripeEvent(document) else { throw AppError.badRequest("The body is not a Stripe event.") }
        let apply: (@Sendable (StripeEvent, StoreSession, Date) async throws -> String?)
        switch event.type {
        case "payment_intent.succeeded": apply = { [currency] in try await Self.recordPayment($0.object, currency, in: $1, at: $2) }
        case "charge.refunded": apply = { [currency] in try await Self.recordRefund($0.object, currency, in: $1, at: $2) }
        default: return
        }
        let warning = try await store.transaction { [now] session -> String? in
            guard try await !session.isStripeEventApplied(id: event.id) else { return nil }
            let time = now()
            try await session.insertStripeEvent(id: event.id, type: event.type, at: time)
            return try await apply(event, session, time)
        }
        if let warning { logger.warning("Stripe event \(event.id) (\(event.type)) was not applied: \(warning)") }
    }

    /// `payment_intent.succeeded`: a card payment of the amount received, once per PaymentIntent.
    /// Returns why nothing was recorded, if so.
    private static func recordPayment(_ intent: JSONValue, _ currency: Currency, in session: StoreSession, at time: Date) async throws -> String? {
        guard let id = intent["id"].string, let cents = intent["amount_received"].int, cents > 0,
              let orderID = intent["metadata"]["order_id"].string.flatMap({ Int64($0) })
        else { return "the PaymentIntent lacks its id, amount_received or metadata.order_id" }
        guard intent["currency"].string?.uppercased() == currency.code else {
            return "the PaymentIntent is in \(intent["currency"].string ?? "no currency"), the shop in \(currency.code)"
        }
        guard let progress = try await session.orderProgress(id: orderID) else { return "there is no order \(orderID)" }
        // Under the order's lock: a second event for the same PaymentIntent finds the first's record.
        guard try await session.cardPayment(paymentIntentID: id) == nil else { return nil }
        let amount = Money(cents: cents)
        if let refusal = progress.refusal(paying: amount) { return "\(refusal.problemSummary) Refund it in Stripe." }
        let payment = try await OrderLifecycleService.pay(
            orderID, .init(amount: amount, method: .card, reference: id, provider: .stripe), currency, in: session, at: time)
        try await session.insertCardPayment(
            CardPayment(paymentIntentID: id, orderID: orderID, amount: amount, refunded: .zero), paymentID: payment.id)
        return nil
    }

    /// `charge.refunded`: the part of the charge's cumulative `amount_refunded` the books do not show
    /// yet (refunds made in Stripe's dashboard; this service's own are recorded when Stripe accepts them).
    private static func recordRefund(_ charge: JSONValue, _ currency: Currency, in session: StoreSession, at time: Date) async throws -> String? {
        guard let intentID = charge["payment_intent"].string, let refundedCents = charge["amount_refunded"].int else {
            return "the charge lacks its payment_intent or amount_refunded"
        }
        guard let found = try await session.cardPayment(paymentIntentID: intentID) else {
            return "no payment of this shop came from PaymentIntent \(intentID)"
        }
        // The order's lock first, then the reservations and the payment as they stand under it.
        guard try await session.orderProgress(id: found.orderID) != nil else { return "there is no order \(found.orderID)" }
        try await OrderLifecycleService.dropStaleAttempts(of: found.orderID, in: session, at: time)
        if try await session.refundAttempts(orderID: found.orderID).contains(where: { $0.paymentIntentID == intentID }) {
            throw AppError.conflict("A refund of \(intentID) is on its way to Stripe from this service; Stripe retries this event.")
        }
        guard let payment = try await session.cardPayment(paymentIntentID: intentID),
              let progress = try await session.orderProgress(id: found.orderID)
        else { return nil }
        let unrecorded = Money(cents: refundedCents) - payment.refunded
        guard unrecorded > .zero else { return nil }
        if let refusal = progress.refusal(refunding: unrecorded, restock: []) { return refusal.problemSummary }
        _ = try await OrderLifecycleService.refund(
            found.orderID, .init(amount: unrecorded, reason: "Refunded in Stripe", restock: []), after: nil, currency, in: session, at: time)
        try await session.setCardPaymentRefunded(paymentIntentID: intentID, to: Money(cents: refundedCents))
        return nil
    }
}
