/// A PaymentIntent paid into an order through Stripe, as the books stand: its amount, how much of it
/// has been recorded as refunded, and how much this service has asked Stripe to refund and not yet
/// recorded.
struct CardPayment: Sendable, Equatable {
    var paymentIntentID: String
    var orderID: Int64
    var amount: Money
    var refunded: Money
    var refundsInFlight: Money = .zero

    /// What may still be refunded through Stripe from this payment.
    var refundable: Money { Money(cents: amount.cents - refunded.cents - refundsInFlight.cents) }
}

extension [CardPayment] {
    /// The Stripe payment a refund of `amount` goes back through: nil when the order holds no money
    /// paid through Stripe (the refund is only recorded), otherwise the payment with the most left to
    /// refund, which must cover the whole amount (one refund is one Stripe refund).
    func refundRoute(for amount: Money, orderID: Int64) -> Result<CardPayment?, AppError> {
        guard amount > .zero, let payment = self.max(by: { $0.refundable < $1.refundable }), payment.refundable > .zero else {
            return .success(nil)
        }
        guard amount <= payment.refundable else {
            return .failure(.conflict(
                "Order \(orderID) was paid through Stripe; one refund returns at most \(payment.refundable), through payment \(payment.paymentIntentID).",
                details: ["amount": ["must be at most \(payment.refundable), what payment \(payment.paymentIntentID) has left to refund"]]))
        }
        return .success(payment)
    }
}
