import Foundation
import Stripe

/// A refund of money paid through Stripe goes back through Stripe before it is recorded, in three
/// steps, since Stripe is not part of the database's transaction:
/// 1. under the order's lock, the rules are asked and the amount is reserved (a refund attempt row),
///    so concurrent refunds cannot together exceed what was paid;
/// 2. Stripe is asked to refund, with an `Idempotency-Key`, outside any transaction;
/// 3. when Stripe accepts, the refund is recorded and the reservation is dropped in one transaction;
///    when it refuses, the reservation is dropped and nothing is recorded (502).
/// A `charge.refunded` event that arrives between 2 and 3 waits (`CardPaymentService`); a reservation
/// left by a crash expires after `staleAfter`, and the event then records what Stripe refunded.
extension OrderLifecycleService {
    static let staleAfter: TimeInterval = 600

    /// Steps 1 and 2: nil when the refund is only recorded (no money through Stripe, or an amount of 0).
    func refundThroughStripe(_ orderID: Int64, _ draft: RefundDraft, key: IdempotencyKey?) async throws -> StripeRefundAttempt? {
        guard draft.amount > .zero else { return nil }
        let reserved = try await store.transaction { [now, stripe] session -> StripeRefundAttempt? in
            let time = now()
            guard var progress = try await session.orderProgress(id: orderID) else { throw AppError.missing("order", orderID) }
            progress.refundsInFlight = progress.refundsInFlight - (try await Self.dropStaleAttempts(of: orderID, in: session, at: time))
            if let refusal = progress.refusal(refunding: draft.amount, restock: draft.restock) { throw refusal }
            guard let payment = try await session.cardPayments(orderID: orderID).refundRoute(for: draft.amount, orderID: orderID).get() else {
                return nil
            }
            guard stripe != nil else {
                throw AppError.conflict("Order \(orderID) was paid through Stripe, and card payments are not configured to refund it.")
            }
            let id = try await session.insertRefundAttempt(orderID: orderID, paymentIntentID: payment.paymentIntentID,
                                                           amount: draft.amount, at: time)
            return StripeRefundAttempt(id: id, paymentIntentID: payment.paymentIntentID, amount: draft.amount)
        }
        guard let reserved, let stripe else { return nil }
        do {
            _ = try await stripe.createRefund(paymentIntent: reserved.paymentIntentID, amount: reserved.amount.cents,
                                              idempotencyKey: reserved.stripeKey(orderID: orderID, requestKey: key))
        } catch {
            try await store.transaction { try await $0.deleteRefundAttempts(ids: [reserved.id]) }
            throw AppError.upstream("Stripe did not refund: \(error.message) Nothing was recorded.")
        }
        return reserved
    }

    /// Drops the order's reservations older than `staleAfter` (left by a crash between the steps);
    /// returns their sum.
    @discardableResult
    static func dropStaleAttempts(of orderID: Int64, in session: StoreSession, at time: Date) async throws -> Money {
        let stale = try await session.refundAttempts(orderID: orderID).filter { time.timeIntervalSince($0.createdAt) > staleAfter }
        try await session.deleteRefundAttempts(ids: stale.map(\.id))
        return stale.reduce(.zero) { $0 + $1.amount }
    }
}

/// A refund Stripe accepted and the books do not show yet, with the amount it reserved.
struct StripeRefundAttempt: Sendable, Equatable {
    var id: Int64
    var paymentIntentID: String
    var amount: Money

    /// Stripe's `Idempotency-Key`: from the client's own key when it sent one, so its retry after a
    /// lost answer never refunds twice; otherwise from this attempt.
    func stripeKey(orderID: Int64, requestKey: IdempotencyKey?) -> String {
        guard let requestKey else { return "ecommerce-order-\(orderID)-refund-attempt-\(id)" }
        return "ecommerce-order-\(orderID)-refund-\(requestKey.scope)-\(requestKey.value)"
    }

    /// Step 3, in the recording transaction: the reservation becomes the payment's refunded amount.
    /// A reservation already gone was taken for a crash's and Stripe's event recorded the refund.
    func complete(_ progress: inout OrderProgress, in session: StoreSession) async throws {
        guard try await session.refundAttempts(orderID: progress.orderID).contains(where: { $0.id == id }) else {
            throw AppError.conflict("""
                Stripe refunded \(amount) of \(paymentIntentID), but answered too late; Stripe's event recorded the refund \
                without this request's reason or restock.
                """)
        }
        progress.refundsInFlight = progress.refundsInFlight - amount
        try await session.deleteRefundAttempts(ids: [id])
        guard let payment = try await session.cardPayment(paymentIntentID: paymentIntentID) else { return }
        try await session.setCardPaymentRefunded(paymentIntentID: paymentIntentID, to: payment.refunded + amount)
    }
}
