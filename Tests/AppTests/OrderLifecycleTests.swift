@testable import App
import Testing

/// The lifecycle's rules on their own: statuses derived from amounts and lines, and what may be paid,
/// refunded, shipped or cancelled.
@Suite struct OrderLifecycleTests {
    private func cents(_ value: Int64) -> Money { Money(cents: value) }

    @Test(arguments: [
        (0, 0, 0, PaymentStatus.paid), (1000, 0, 0, .unpaid), (1000, 400, 0, .partiallyPaid), (1000, 1000, 0, .paid),
        (1000, 1000, 300, .partiallyRefunded), (1000, 1000, 1000, .refunded), (1000, 400, 400, .refunded),
        (1000, 400, 100, .partiallyRefunded),
    ] as [(Int64, Int64, Int64, PaymentStatus)])
    func thePaymentStatusFollowsTheAmounts(total: Int64, paid: Int64, refunded: Int64, status: PaymentStatus) {
        #expect(PaymentStatus(total: cents(total), paid: cents(paid), refunded: cents(refunded)) == status)
    }

    @Test func theFulfillmentStatusFollowsTheLines() {
        let two = LineProgress(productID: 1, ordered: 2)
        #expect(FulfillmentStatus([two]) == .unfulfilled)
        #expect(FulfillmentStatus([LineProgress(productID: 1, ordered: 2, fulfilled: 1)]) == .partiallyFulfilled)
        #expect(FulfillmentStatus([LineProgress(productID: 1, ordered: 2, fulfilled: 1, restocked: 1)]) == .fulfilled)
        #expect(FulfillmentStatus([LineProgress(productID: 1, ordered: 2, restocked: 2)]) == .unfulfilled)
        #expect(LineProgress(productID: 1, ordered: 2, fulfilled: 2, restocked: 1).leftToFulfil == 0)
    }

    private func order(paid: Int64 = 0, refunded: Int64 = 0, status: OrderStatus = .placed,
                       lines: [LineProgress] = [LineProgress(productID: 7, ordered: 2), LineProgress(productID: 8, ordered: 1)]) -> OrderProgress {
        OrderProgress(orderID: 5, status: status, total: cents(3000), paid: cents(paid), refunded: cents(refunded), lines: lines)
    }

    @Test func aPaymentMayNotExceedTheBalanceDue() {
        #expect(order(paid: 1000).refusal(paying: cents(2000)) == nil)
        let refusal = order(paid: 1000).refusal(paying: cents(2001))
        #expect(refusal == .conflict("The balance due on order 5 is 20; a payment may not exceed it.",
                                     details: ["amount": ["must be at most the balance due, 20"]]))
        #expect(order(status: .cancelled).refusal(paying: cents(1)) == .conflict("Order 5 is cancelled; it cannot be paid."))
    }

    @Test func aRefundMayNotExceedWhatIsHeldNorRestockMoreThanWasOrdered() {
        let paid = order(paid: 3000, refunded: 1000)
        #expect(paid.refusal(refunding: cents(2000), restock: []) == nil)
        #expect(paid.refusal(refunding: cents(2001), restock: []) != nil)
        #expect(paid.refusal(refunding: .zero, restock: []) == .invalid("restock", "must name what goes back to stock when the amount is 0"))
        #expect(paid.refusal(refunding: .zero, restock: [ItemQuantity(productID: 7, quantity: 2)]) == nil)
        let tooMany = paid.refusal(refunding: .zero, restock: [ItemQuantity(productID: 7, quantity: 1), ItemQuantity(productID: 7, quantity: 2),
                                                              ItemQuantity(productID: 9, quantity: 1)])
        guard case .conflict(_, let details) = tooMany else { Issue.record("not a conflict: \(String(describing: tooMany))"); return }
        #expect(details == ["restock[1].quantity": ["only 2 of product 7 may still go back to stock"],
                            "restock[2].product_id": ["product 9 is not in order 5"]])
        let restocked = order(paid: 3000, lines: [LineProgress(productID: 7, ordered: 2, restocked: 1)])
        #expect(restocked.refusal(refunding: .zero, restock: [ItemQuantity(productID: 7, quantity: 2)]) != nil)
    }

    @Test func aFulfilmentShipsWhatIsLeftAndNoMore() throws {
        let progress = order(lines: [LineProgress(productID: 7, ordered: 3, fulfilled: 1, restocked: 1), LineProgress(productID: 8, ordered: 1)])
        #expect(try progress.fulfilment(of: nil).get() == [ItemQuantity(productID: 7, quantity: 1), ItemQuantity(productID: 8, quantity: 1)])
        #expect(try progress.fulfilment(of: [ItemQuantity(productID: 7, quantity: 1)]).get() == [ItemQuantity(productID: 7, quantity: 1)])
        #expect(throws: AppError.self) { try progress.fulfilment(of: [ItemQuantity(productID: 7, quantity: 2)]).get() }
        let shipped = order(lines: [LineProgress(productID: 7, ordered: 1, fulfilled: 1)])
        #expect(throws: AppError.conflict("Nothing is left to fulfil on order 5.")) { try shipped.fulfilment(of: nil).get() }
        #expect(throws: AppError.self) { try order(status: .cancelled).fulfilment(of: nil).get() }
    }

    @Test func aCancelWaitsForRefundsAndNeverFollowsAShipment() {
        #expect(order().cancelRefusal == nil)
        #expect(order(paid: 3000, refunded: 3000).cancelRefusal == nil)
        #expect(order(paid: 100).cancelRefusal == .conflict("Order 5 holds 1 paid; refund the payments first, then cancel."))
        #expect(order(lines: [LineProgress(productID: 7, ordered: 2, fulfilled: 1)]).cancelRefusal != nil)
        #expect(order(status: .cancelled).cancelRefusal == .conflict("Order 5 is already cancelled."))
        let partlyReturned = order(lines: [LineProgress(productID: 7, ordered: 2, restocked: 1), LineProgress(productID: 8, ordered: 1, restocked: 1)])
        #expect(partlyReturned.cancelRestock == [ItemQuantity(productID: 7, quantity: 1)])
    }
}
