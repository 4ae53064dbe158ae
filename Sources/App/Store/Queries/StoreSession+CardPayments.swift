import Foundation
import SQLKit

/// The rows behind card payments through Stripe (migration 12). Every caller holds the order's lock
/// (`orderProgress`), so these reads and writes decide one after another per order.
extension StoreSession {
    /// The order's Stripe payments, with the refunds asked of Stripe and not yet recorded.
    func cardPayments(orderID: Int64) async throws -> [CardPayment] {
        var payments = try await sql.raw("""
            SELECT payment_intent_id, order_id, amount_cents, refunded_cents FROM stripe_payments
            WHERE order_id = \(bind: orderID) ORDER BY payment_id
            """).all().map(Self.cardPayment)
        for attempt in try await refundAttempts(orderID: orderID) {
            guard let index = payments.firstIndex(where: { $0.paymentIntentID == attempt.paymentIntentID }) else { continue }
            payments[index].refundsInFlight = payments[index].refundsInFlight + attempt.amount
        }
        return payments
    }

    func cardPayment(paymentIntentID: String) async throws -> CardPayment? {
        try await sql.raw("""
            SELECT payment_intent_id, order_id, amount_cents, refunded_cents FROM stripe_payments
            WHERE payment_intent_id = \(bind: paymentIntentID)
            """).first().map(Self.cardPayment)
    }

    func insertCardPayment(_ payment: CardPayment, paymentID: Int64) async throws {
        try await sql.raw("""
            INSERT INTO stripe_payments (payment_intent_id, order_id, payment_id, amount_cents, refunded_cents)
            VALUES (\(bind: payment.paymentIntentID), \(bind: payment.orderID), \(bind: paymentID),
            \(bind: payment.amount.cents), \(bind: payment.refunded.cents))
            """).run()
    }

    func setCardPaymentRefunded(paymentIntentID: String, to refunded: Money) async throws {
        try await sql.raw("""
            UPDATE stripe_payments SET refunded_cents = \(bind: refunded.cents) WHERE payment_intent_id = \(bind: paymentIntentID)
            """).run()
    }

    /// The refunds of the order asked of Stripe and not yet recorded.
    func refundAttempts(orderID: Int64) async throws -> [RefundAttempt] {
        try await sql.raw("""
            SELECT id, payment_intent_id, amount_cents, created_at FROM stripe_refund_attempts WHERE order_id = \(bind: orderID)
            """).all().map { row in
            RefundAttempt(id: try row.int("id"), paymentIntentID: try row.string("payment_intent_id"),
                          amount: try row.money("amount_cents"), createdAt: try row.date("created_at"))
        }
    }

    func insertRefundAttempt(orderID: Int64, paymentIntentID: String, amount: Money, at time: Date) async throws -> Int64 {
        try await insertReturningID("""
            INSERT INTO stripe_refund_attempts (order_id, payment_intent_id, amount_cents, created_at)
            VALUES (\(bind: orderID), \(bind: paymentIntentID), \(bind: amount.cents), \(bind: time))
            """)
    }

    func deleteRefundAttempts(ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await sql.raw("DELETE FROM stripe_refund_attempts WHERE id IN (\(binds: ids))").run()
    }

    /// Marks a Stripe event applied, in the transaction that applies it; a second delivery of it
    /// violates the key (409 while the first is in flight) or finds it with `isStripeEventApplied`.
    func insertStripeEvent(id: String, type: String, at time: Date) async throws {
        try await sql.raw("""
            INSERT INTO stripe_events (id, type, received_at) VALUES (\(bind: id), \(bind: type), \(bind: time))
            """).run()
    }

    func isStripeEventApplied(id: String) async throws -> Bool {
        try await sql.raw("SELECT id FROM stripe_events WHERE id = \(bind: id)").first() != nil
    }

    private static func cardPayment(_ row: any SQLRow) throws -> CardPayment {
        CardPayment(paymentIntentID: try row.string("payment_intent_id"), orderID: try row.int("order_id"),
                    amount: try row.money("amount_cents"), refunded: try row.money("refunded_cents"))
    }
}

/// A refund asked of Stripe by this service and not yet recorded in the books.
struct RefundAttempt: Sendable, Equatable {
    var id: Int64
    var paymentIntentID: String
    var amount: Money
    var createdAt: Date
}
