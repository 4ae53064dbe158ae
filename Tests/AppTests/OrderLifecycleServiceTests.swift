@testable import App
import Testing

/// Payments, refunds, fulfilments and cancels through the service on the suite's database: what each
/// writes, what each refuses (changing nothing), and that concurrent ones on one order never pay,
/// refund or restock more than the order allows.
@Suite struct OrderLifecycleServiceTests {
    private typealias Payment = OrderLifecycleService.PaymentDraft
    private typealias Refund = OrderLifecycleService.RefundDraft

    /// An order of 2 × product 0 and 1 × product 1, at 1.00 each: 3.00.
    private func placeOrder(_ shop: Shop, _ user: User, _ products: [Product], quantities: [Int64] = [2, 1]) async throws -> Order {
        try await shop.orders.place(PlaceOrderRequest(userID: user.id, lines: zip(products, quantities).map {
            OrderLineRequest(productID: $0.id, quantity: $1)
        }))
    }

    private func cents(_ value: Int64) -> Money { Money(cents: value) }

    @Test func paymentsMoveThePaymentStatusAndNeverPassTheTotal() async throws {
        try await withStoreAndProducts(quantities: [10, 10]) { _, shop, user, products in
            let order = try await placeOrder(shop, user, products)
            #expect(order.paymentStatus == .unpaid)
            let first = try await shop.lifecycle.pay(orderID: order.id, Payment(amount: cents(100), method: .cash, reference: "till 3"))
            #expect(first.provider == .manual && first.amount == cents(100) && first.reference == "till 3")
            #expect(try await shop.orders.get(id: order.id).paymentStatus == .partiallyPaid)
            await #expect(throws: AppError.conflict("The balance due on order \(order.id) is 2; a payment may not exceed it.",
                                                     details: ["amount": ["must be at most the balance due, 2"]])) {
                try await shop.lifecycle.pay(orderID: order.id, Payment(amount: cents(201), method: .card))
            }
            _ = try await shop.lifecycle.pay(orderID: order.id, Payment(amount: cents(200), method: .bankTransfer))
            let paid = try await shop.orders.get(id: order.id)
            #expect(paid.paymentStatus == .paid && paid.amountPaid == cents(300) && paid.amountRefunded == .zero)
            #expect(try await shop.lifecycle.payments(orderID: order.id, PageRequest(limit: 10)).items.map(\.amount) == [cents(100), cents(200)])
            await #expect(throws: AppError.missing("order", 999)) {
                try await shop.lifecycle.pay(orderID: 999, Payment(amount: cents(1), method: .cash))
            }
        }
    }

    @Test func aRefundReturnsWhatItRestocksToStockAndLeavesItNoLongerToShip() async throws {
        try await withStoreAndProducts(quantities: [10, 10]) { _, shop, user, products in
            let order = try await placeOrder(shop, user, products)
            _ = try await shop.lifecycle.pay(orderID: order.id, Payment(amount: cents(300), method: .cash))
            let refund = try await shop.lifecycle.refund(orderID: order.id, Refund(
                amount: cents(100), reason: "damaged", restock: [ItemQuantity(productID: products[0].id, quantity: 1)]))
            #expect(refund.restock == [ItemQuantity(productID: products[0].id, quantity: 1)])
            let refunded = try await shop.orders.get(id: order.id)
            #expect(refunded.paymentStatus == .partiallyRefunded && refunded.amountRefunded == cents(100))
            #expect(try await shop.products.get(id: products[0].id).quantity == 9)
            let moves = try await shop.products.stockMovements(id: products[0].id, PageRequest(limit: 10)).items
            #expect(moves.last?.kind == .return && moves.last?.delta == 1 && moves.last?.orderID == order.id)
            #expect(moves.last?.reason == "refund \(refund.id)")

            // One unit of product 0 is left to ship; shipping two is refused, changing nothing.
            await #expect(throws: AppError.self) {
                try await shop.lifecycle.fulfil(orderID: order.id, .init(items: [ItemQuantity(productID: products[0].id, quantity: 2)]))
            }
            let shipment = try await shop.lifecycle.fulfil(orderID: order.id, .init(carrier: "DHL", trackingNumber: "JD0001"))
            #expect(shipment.items == [ItemQuantity(productID: products[0].id, quantity: 1), ItemQuantity(productID: products[1].id, quantity: 1)])
            #expect(try await shop.orders.get(id: order.id).fulfillmentStatus == .fulfilled)
            await #expect(throws: AppError.self) { try await shop.orders.cancel(id: order.id) }
            let listed = try #require(try await shop.lifecycle.refunds(orderID: order.id, PageRequest(limit: 10)).items.first)
            #expect(listed.id == refund.id && listed.amount == refund.amount && listed.reason == "damaged" && listed.restock == refund.restock)
        }
    }

    @Test func aCancelWaitsForTheRefundAndReturnsOnlyWhatRefundsDidNot() async throws {
        try await withStoreAndProducts(quantities: [10, 10]) { _, shop, user, products in
            let order = try await placeOrder(shop, user, products)
            _ = try await shop.lifecycle.pay(orderID: order.id, Payment(amount: cents(50), method: .cash))
            await #expect(throws: AppError.conflict("Order \(order.id) holds 0.5 paid; refund the payments first, then cancel.")) {
                try await shop.orders.cancel(id: order.id)
            }
            _ = try await shop.lifecycle.refund(orderID: order.id, Refund(
                amount: cents(50), restock: [ItemQuantity(productID: products[0].id, quantity: 1)]))
            let cancelled = try await shop.orders.cancel(id: order.id)
            #expect(cancelled.status == .cancelled && cancelled.paymentStatus == .refunded)
            #expect(try await shop.products.get(id: products[0].id).quantity == 10)
            #expect(try await shop.products.get(id: products[1].id).quantity == 10)
            let moves = try await shop.products.stockMovements(id: products[0].id, PageRequest(limit: 10)).items
            #expect(moves.map(\.kind) == [.initial, .order, .return, .cancel] && moves.map(\.delta) == [10, -2, 1, 1])
            await #expect(throws: AppError.self) {
                try await shop.lifecycle.refund(orderID: order.id, Refund(amount: .zero, restock: [ItemQuantity(productID: products[1].id, quantity: 1)]))
            }
        }
    }

    @Test func concurrentPaymentsRefundsAndRestocksNeverExceedTheOrder() async throws {
        try await withStoreAndProducts(quantities: [100]) { _, shop, user, products in
            let order = try await placeOrder(shop, user, products, quantities: [10])
            let payments = await attempts(30) { _ in
                _ = try await shop.lifecycle.pay(orderID: order.id, Payment(amount: Money(cents: 100), method: .cash))
            }
            #expect(payments == 10)
            let refunds = await attempts(30) { _ in
                _ = try await shop.lifecycle.refund(orderID: order.id, Refund(
                    amount: Money(cents: 50), restock: [ItemQuantity(productID: products[0].id, quantity: 1)]))
            }
            #expect(refunds == 10)
            let after = try await shop.orders.get(id: order.id)
            #expect(after.amountPaid == cents(1000) && after.amountRefunded == cents(500) && after.paymentStatus == .partiallyRefunded)
            #expect(try await shop.products.get(id: products[0].id).quantity == 100)
            #expect(try await shop.lifecycle.payments(orderID: order.id, PageRequest(limit: 100)).items.count == 10)
        }
    }

    /// Runs `count` attempts at once; how many succeeded. Refusals must be conflicts, nothing else.
    private func attempts(_ count: Int, _ attempt: @escaping @Sendable (Int) async throws -> Void) async -> Int {
        await withTaskGroup(of: Bool.self) { group in
            for index in 0..<count {
                group.addTask {
                    do {
                        try await attempt(index)
                        return true
                    } catch let error as AppError {
                        if case .conflict = error { return false }
                        Issue.record("not a conflict: \(error)")
                        return false
                    } catch {
                        Issue.record("unexpected: \(error)")
                        return false
                    }
                }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
    }
}
