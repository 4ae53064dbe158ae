import Foundation
import SQLKit

/// An order to place together with others, on the day it is for, under its placement token.
struct OrderToPlace: Sendable {
    var request: PlaceOrderRequest
    var date: String
    var placementToken: PlacementToken?
}

extension StoreSession {
    /// Places several orders in one statement (PostgreSQL), atomic on its own, so it needs no
    /// transaction: one round trip and one commit for them all, where the statement-by-statement
    /// placement (`Inventory.take`) makes six for each. Each order follows the same rules as there:
    /// every product exists and has the stock, the user exists, and `expectedTotal`, when given,
    /// equals the total of the price snapshots; then its stock is taken, the order and its lines
    /// stored and the moves recorded. An order that fails a rule changes nothing and is left out of
    /// the result, as is one naming a product twice or sharing one with an earlier order of the same
    /// call (whose stock the statement could not see taken): the caller places those on their own,
    /// which says why.
    ///
    /// The rows are locked in ascending id order before anything is decided (`available`), as the
    /// statement-by-statement placement updates them, so concurrent placements cannot deadlock; a row
    /// changed by another placement meanwhile is read as committed (READ COMMITTED re-reads a locked
    /// row). Order ids are drawn in the orders' sequence, so they ascend as the orders came.
    ///
    /// Returns the placed orders' ids and lines, by their index in `orders`.
    func placeOrdersInOneStatement(
        _ orders: [OrderToPlace], at now: Date
    ) async throws -> [Int: (orderID: Int64, lines: [OrderLine])] {
        let lines = orders.enumerated().flatMap { member, order in order.request.lines.map { (member, $0) } }
        let rows = try await sql.raw("""
            WITH wanted AS (
                SELECT w.member, w.product_id, w.quantity,
                    row_number() OVER (PARTITION BY w.member ORDER BY w.line) - 1 AS position
                FROM unnest(\(bind: lines.map { Int64($0.0) })::int8[], \(bind: lines.map(\.1.productID))::int8[],
                    \(bind: lines.map(\.1.quantity))::int8[]) WITH ORDINALITY AS w(member, product_id, quantity, line)
            ), members AS (
                SELECT m.member - 1 AS member, m.user_id, m.date, m.expected_total, m.checks_total,
                    NULLIF(m.placement_token, '') AS placement_token
                FROM unnest(\(bind: orders.map(\.request.userID))::int8[], \(bind: orders.map(\.date))::text[],
                    \(bind: orders.map { $0.request.expectedTotal?.cents ?? 0 })::int8[],
                    \(bind: orders.map { $0.request.expectedTotal != nil })::bool[],
                    \(bind: orders.map { $0.placementToken?.value ?? "" })::text[])
                    WITH ORDINALITY AS m(user_id, date, expected_total, checks_total, placement_token, member)
            ), available AS (
                SELECT p.id, p.name, p.price_cents, p.quantity FROM products p
                WHERE p.id IN (SELECT product_id FROM wanted) AND p.deleted_at IS NULL ORDER BY p.id FOR UPDATE
            ), verdict AS (
                SELECT m.member, m.user_id, m.date, m.placement_token, sum(a.price_cents * w.quantity) AS total,
                    count(a.id) = count(*) AND count(DISTINCT w.product_id) = count(*) AND bool_and(a.quantity >= w.quantity)
                    AND (NOT m.checks_total OR sum(a.price_cents * w.quantity) = m.expected_total)
                    AND EXISTS (SELECT 1 FROM users u WHERE u.id = m.user_id)
                    AND NOT EXISTS (SELECT 1 FROM wanted mine JOIN wanted earlier ON earlier.product_id = mine.product_id
                                    WHERE mine.member = m.member AND earlier.member < m.member) AS ok
                FROM members m JOIN wanted w ON w.member = m.member LEFT JOIN available a ON a.id = w.product_id
                GROUP BY m.member, m.user_id, m.date, m.expected_total, m.checks_total, m.placement_token
            ), accepted AS MATERIALIZED (
                SELECT v.member, v.user_id, v.date, v.placement_token, v.total, nextval(pg_get_serial_sequence('orders', 'id')) AS order_id
                FROM (SELECT * FROM verdict WHERE ok ORDER BY member) v
            ), moved AS (
                UPDATE products p SET quantity = p.quantity - w.quantity, updated_at = \(bind: now)
                FROM wanted w JOIN accepted USING (member) WHERE p.id = w.product_id
                RETURNING p.id, p.quantity
            ), placed AS (
                INSERT INTO orders (id, user_id, date, status, total_cents, placement_token, created_at, updated_at)
                SELECT order_id, user_id, date, \(bind: OrderStatus.placed.rawValue), total, placement_token, \(bind: now), \(bind: now)
                FROM accepted
            ), order_lines AS (
                INSERT INTO order_items (order_id, position, product_id, name, quantity, unit_price_cents)
                SELECT ac.order_id, w.position, w.product_id, a.name, w.quantity, a.price_cents
                FROM accepted ac JOIN wanted w USING (member) JOIN available a ON a.id = w.product_id
            ), ledger AS (
                INSERT INTO stock_movements (product_id, delta, quantity_after, kind, order_id, created_at)
                SELECT w.product_id, -w.quantity, m.quantity, \(bind: StockMovementKind.order.rawValue), ac.order_id, \(bind: now)
                FROM accepted ac JOIN wanted w USING (member) JOIN moved m ON m.id = w.product_id
            )
            SELECT ac.member, ac.order_id, a.id, a.name, a.price_cents
            FROM accepted ac JOIN wanted w USING (member) JOIN available a ON a.id = w.product_id
            """).all()
        var found: [Int: (orderID: Int64, products: [Int64: (name: String, price: Money)])] = [:]
        for row in rows {
            let member = Int(try row.int("member"))
            let orderID = try row.int("order_id")
            found[member, default: (orderID, [:])].products[try row.int("id")] = (try row.string("name"), try row.money("price_cents"))
        }
        return found.reduce(into: [:]) { placed, entry in
            let (member, (orderID, products)) = entry
            let lines = orders[member].request.lines.compactMap { line in
                products[line.productID].map {
                    OrderLine(productID: line.productID, name: $0.name, quantity: line.quantity, unitPrice: $0.price)
                }
            }
            placed[member] = (orderID, lines)
        }
    }
}
