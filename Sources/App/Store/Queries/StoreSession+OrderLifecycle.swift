import Foundation
import SQLKit

extension StoreSession {
    /// An order's money and lines, its row locked to the end of the transaction (SQLite's one writer
    /// needs no lock), so that concurrent payments, refunds, fulfilments and cancels of one order
    /// decide one after another on what the previous one left; nil when there is no such order.
    func orderProgress(id: Int64) async throws -> OrderProgress? {
        guard let row = try await sql.raw("""
            SELECT status, total_cents, amount_paid_cents, amount_refunded_cents FROM orders WHERE id = \(bind: id)\(lockClause(true))
            """).first()
        else { return nil }
        let lines = try await sql.raw("""
            SELECT product_id, quantity, fulfilled_quantity, restocked_quantity FROM order_items
            WHERE order_id = \(bind: id) ORDER BY position
            """).all().map { line in
            LineProgress(productID: try line.int("product_id"), ordered: try line.int("quantity"),
                         fulfilled: try line.int("fulfilled_quantity"), restocked: try line.int("restocked_quantity"))
        }
        let inFlight = try await refundAttempts(orderID: id).reduce(Money.zero) { $0 + $1.amount }
        return OrderProgress(orderID: id, status: try row.choice("status"), total: try row.money("total_cents"),
                             paid: try row.money("amount_paid_cents"), refunded: try row.money("amount_refunded_cents"),
                             lines: lines, refundsInFlight: inFlight)
    }

    /// Writes what a payment, refund, fulfilment or cancel made of the order: its status, amounts and
    /// derived statuses, and the lines whose progress changed from `before` (a payment changes none).
    func writeProgress(_ progress: OrderProgress, changedFrom before: OrderProgress, at now: Date) async throws {
        try await sql.raw("""
            UPDATE orders SET status = \(bind: progress.status.rawValue), amount_paid_cents = \(bind: progress.paid.cents),
            amount_refunded_cents = \(bind: progress.refunded.cents), payment_status = \(bind: progress.paymentStatus.rawValue),
            fulfillment_status = \(bind: progress.fulfillmentStatus.rawValue), updated_at = \(bind: now)
            WHERE id = \(bind: progress.orderID)
            """).run()
        for line in progress.lines where !before.lines.contains(line) {
            try await sql.raw("""
                UPDATE order_items SET fulfilled_quantity = \(bind: line.fulfilled), restocked_quantity = \(bind: line.restocked)
                WHERE order_id = \(bind: progress.orderID) AND product_id = \(bind: line.productID)
                """).run()
        }
    }

    func insertPayment(_ payment: Payment) async throws -> Payment {
        var payment = payment
        payment.id = try await insertReturningID("""
            INSERT INTO payments (order_id, provider, method, amount_cents, reference, created_at)
            VALUES (\(bind: payment.orderID), \(bind: payment.provider.rawValue), \(bind: payment.method.rawValue),
            \(bind: payment.amount.cents), \(bind: payment.reference), \(bind: payment.createdAt))
            """)
        return payment
    }

    func payments(orderID: Int64, _ request: PageRequest) async throws -> Page<Payment> {
        try await page("""
            SELECT id, order_id, provider, method, amount_cents, reference, created_at FROM payments WHERE order_id = \(bind: orderID)
            """, request, id: \.id) { row in
            Payment(id: try row.int("id"), orderID: try row.int("order_id"), provider: try row.choice("provider"),
                    method: try row.choice("method"), amount: try row.money("amount_cents"),
                    reference: try row.optionalString("reference"), createdAt: try row.date("created_at"))
        }
    }

    func insertRefund(_ refund: Refund) async throws -> Refund {
        var refund = refund
        refund.id = try await insertReturningID("""
            INSERT INTO refunds (order_id, amount_cents, reason, created_at)
            VALUES (\(bind: refund.orderID), \(bind: refund.amount.cents), \(bind: refund.reason), \(bind: refund.createdAt))
            """)
        try await insertItems(refund.restock, into: "refund_items", owner: "refund_id", id: refund.id)
        return refund
    }

    func refunds(orderID: Int64, _ request: PageRequest) async throws -> Page<Refund> {
        let page = try await page("""
            SELECT id, order_id, amount_cents, reason, created_at FROM refunds WHERE order_id = \(bind: orderID)
            """, request, id: \.id) { row in
            Refund(id: try row.int("id"), orderID: try row.int("order_id"), amount: try row.money("amount_cents"),
                   reason: try row.optionalString("reason"), restock: [], createdAt: try row.date("created_at"))
        }
        let items = try await items(of: page.items.map(\.id), in: "refund_items", owner: "refund_id")
        return page.map { refund in
            var refund = refund
            refund.restock = items[refund.id, default: []]
            return refund
        }
    }

    func insertFulfillment(_ fulfillment: Fulfillment) async throws -> Fulfillment {
        var fulfillment = fulfillment
        fulfillment.id = try await insertReturningID("""
            INSERT INTO fulfillments (order_id, carrier, tracking_number, tracking_url, created_at)
            VALUES (\(bind: fulfillment.orderID), \(bind: fulfillment.carrier), \(bind: fulfillment.trackingNumber),
            \(bind: fulfillment.trackingURL), \(bind: fulfillment.createdAt))
            """)
        try await insertItems(fulfillment.items, into: "fulfillment_items", owner: "fulfillment_id", id: fulfillment.id)
        return fulfillment
    }

    func fulfillments(orderID: Int64, _ request: PageRequest) async throws -> Page<Fulfillment> {
        let page = try await page("""
            SELECT id, order_id, carrier, tracking_number, tracking_url, created_at FROM fulfillments WHERE order_id = \(bind: orderID)
            """, request, id: \.id) { row in
            Fulfillment(id: try row.int("id"), orderID: try row.int("order_id"), items: [],
                        carrier: try row.optionalString("carrier"), trackingNumber: try row.optionalString("tracking_number"),
                        trackingURL: try row.optionalString("tracking_url"), createdAt: try row.date("created_at"))
        }
        let items = try await items(of: page.items.map(\.id), in: "fulfillment_items", owner: "fulfillment_id")
        return page.map { fulfillment in
            var fulfillment = fulfillment
            fulfillment.items = items[fulfillment.id, default: []]
            return fulfillment
        }
    }

    private func insertItems(_ items: [ItemQuantity], into table: String, owner: String, id: Int64) async throws {
        guard !items.isEmpty else { return }
        try await insertRows(into: table, columns: "\(owner), position, product_id, quantity",
                             items.enumerated().map { position, item in [id, position, item.productID, item.quantity] })
    }

    /// The items of several refunds or fulfilments, by owner, in the order given.
    private func items(of ids: [Int64], in table: String, owner: String) async throws -> [Int64: [ItemQuantity]] {
        guard !ids.isEmpty else { return [:] }
        let rows = try await sql.raw("""
            SELECT \(ident: owner), product_id, quantity FROM \(ident: table)
            WHERE \(ident: owner) IN (\(binds: ids)) ORDER BY \(ident: owner), position
            """).all()
        return try rows.reduce(into: [:]) { items, row in
            items[try row.int(owner), default: []].append(ItemQuantity(productID: try row.int("product_id"), quantity: try row.int("quantity")))
        }
    }
}
