import Foundation
import SQLKit

/// What the console's dashboard shows of the shop at a glance, each in one query.
extension StoreSession {
    /// Orders placed since `start` and not cancelled, and what they came to.
    func placedOrderTally(since start: Date) async throws -> (count: Int64, revenue: Money) {
        // A sum is NUMERIC on PostgreSQL and DECIMAL on MySQL; cast back to an integer of cents.
        let integer = flavour == .mysql ? "SIGNED" : "BIGINT"
        let row = try await sql.raw("""
            SELECT COUNT(*) AS orders, CAST(COALESCE(SUM(total_cents), 0) AS \(unsafeRaw: integer)) AS revenue
            FROM orders WHERE created_at >= \(bind: start) AND status = \(bind: OrderStatus.placed.rawValue)
            """).first().required()
        return (try row.int("orders"), try row.money("revenue"))
    }

    /// Placed orders not yet paid in full, and placed orders with something left to ship.
    func ordersAwaiting() async throws -> (payment: Int64, fulfillment: Int64) {
        let row = try await sql.raw("""
            SELECT
              COUNT(CASE WHEN payment_status IN (\(bind: PaymentStatus.unpaid.rawValue), \(bind: PaymentStatus.partiallyPaid.rawValue))
                THEN 1 END) AS payment,
              COUNT(CASE WHEN fulfillment_status <> \(bind: FulfillmentStatus.fulfilled.rawValue) THEN 1 END) AS fulfillment
            FROM orders WHERE status = \(bind: OrderStatus.placed.rawValue)
            """).first().required()
        return (try row.int("payment"), try row.int("fulfillment"))
    }

    /// Live products with less stock than `threshold`, the emptiest first.
    func productsLowOnStock(below threshold: Int64, limit: Int) async throws -> [Product] {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.productColumns) FROM products WHERE deleted_at IS NULL AND quantity < \(bind: threshold)
            ORDER BY quantity, id LIMIT \(bind: limit)
            """).all().map(Product.init(row:))
    }

    /// The latest orders, newest first, without their lines.
    func latestOrders(limit: Int) async throws -> [Order] {
        try await sql.raw("SELECT \(unsafeRaw: Self.orderColumns) FROM orders ORDER BY id DESC LIMIT \(bind: limit)")
            .all().map(Order.init(row:))
    }
}
