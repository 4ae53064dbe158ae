import Foundation
import SQLKit

extension StoreSession {
    static let orderColumns = """
        id, user_id, date, status, total_cents, amount_paid_cents, amount_refunded_cents, payment_status, \
        fulfillment_status, created_at, updated_at
        """

    /// Orders matching the filter, each with its lines: two queries per page, never one per order.
    func orders(_ filter: OrderFilter, _ request: PageRequest) async throws -> Page<Order> {
        var query: SQLQueryString = "SELECT \(unsafeRaw: Self.orderColumns) FROM orders WHERE 1 = 1"
        if let userID = filter.userID {
            query.appendInterpolation(unsafeRaw: " AND user_id = ")
            query.appendInterpolation(bind: userID)
        }
        for (column, value) in [("status", filter.status?.rawValue), ("payment_status", filter.paymentStatus?.rawValue),
                                ("fulfillment_status", filter.fulfillmentStatus?.rawValue)] {
            guard let value else { continue }
            query.appendInterpolation(unsafeRaw: " AND \(column) = ")
            query.appendInterpolation(bind: value)
        }
        let page = try await page(query, request, id: \.id, decode: Order.init(row:))
        let lines = try await orderLines(orderIDs: page.items.map(\.id))
        return page.map { $0.with(lines: lines) }
    }

    /// An order and its lines, in two queries.
    func order(id: Int64) async throws -> Order? {
        try await orders(ids: [id])[id]
    }

    /// Orders by id, each with its lines, in two queries whatever their number; missing ids are left out.
    func orders(ids: [Int64]) async throws -> [Int64: Order] {
        guard !ids.isEmpty else { return [:] }
        let orders = try await sql.raw("SELECT \(unsafeRaw: Self.orderColumns) FROM orders WHERE id IN (\(binds: ids))")
            .all().map(Order.init(row:))
        let lines = try await orderLines(orderIDs: orders.map(\.id))
        return Dictionary(uniqueKeysWithValues: orders.map { ($0.id, $0.with(lines: lines)) })
    }

    /// The order stored under a placement token, if any.
    func order(placementToken token: PlacementToken) async throws -> Order? {
        guard let id = try await sql.raw("SELECT id FROM orders WHERE placement_token = \(bind: token.value)").first()
        else { return nil }
        return try await order(id: try id.int("id"))
    }

    /// Stores a placed order with its lines, in two statements; nil, storing nothing, when the user
    /// does not exist (checked by the insert itself rather than by a query of its own).
    func insertOrder(
        userID: Int64, date: String, lines: [OrderLine], total: Money, placementToken: PlacementToken?, at now: Date
    ) async throws -> Int64? {
        let inserted = try await insertReturningIDIfInserted("""
            INSERT INTO orders (user_id, date, status, total_cents, payment_status, placement_token, created_at, updated_at)
            SELECT \(bind: userID), \(bind: date), \(bind: OrderStatus.placed.rawValue), \(bind: total.cents),
            \(bind: Order.paymentStatusWhenPlaced(total: total).rawValue), \(bind: placementToken?.value), \(bind: now), \(bind: now)
            WHERE EXISTS (SELECT 1 FROM users WHERE id = \(bind: userID))
            """)
        guard let orderID = inserted else { return nil }
        try await insertRows(
            into: "order_items", columns: "order_id, position, product_id, name, quantity, unit_price_cents",
            lines.enumerated().map { position, line in
                [orderID, position, line.productID, line.name, line.quantity, line.unitPrice.cents]
            }
        )
        return orderID
    }

    private func orderLines(orderIDs: [Int64]) async throws -> [Int64: [OrderLine]] {
        guard !orderIDs.isEmpty else { return [:] }
        let rows = try await sql.raw("""
            SELECT order_id, product_id, name, quantity, unit_price_cents FROM order_items
            WHERE order_id IN (\(binds: orderIDs)) ORDER BY order_id, position
            """).all()
        var lines: [Int64: [OrderLine]] = [:]
        for row in rows {
            let line = OrderLine(productID: try row.int("product_id"), name: try row.string("name"),
                                 quantity: try row.int("quantity"), unitPrice: try row.money("unit_price_cents"))
            lines[try row.int("order_id"), default: []].append(line)
        }
        return lines
    }
}

extension Order {
    /// The order with its lines from those read for several orders (`orderLines(orderIDs:)`).
    fileprivate func with(lines: [Int64: [OrderLine]]) -> Order {
        var order = self
        order.lines = lines[id, default: []]
        return order
    }

    /// The order row alone; its lines are read separately.
    init(row: any SQLRow) throws {
        self.init(id: try row.int("id"), userID: try row.int("user_id"), date: try row.string("date"),
                  status: try row.choice("status"), lines: [], totalPrice: try row.money("total_cents"),
                  amountPaid: try row.money("amount_paid_cents"), amountRefunded: try row.money("amount_refunded_cents"),
                  paymentStatus: try row.choice("payment_status"), fulfillmentStatus: try row.choice("fulfillment_status"),
                  createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
