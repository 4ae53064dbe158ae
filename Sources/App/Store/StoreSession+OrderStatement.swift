import Foundation
import SQLKit

/// What one attempt to place an order found: the order's id when it was stored, and otherwise what
/// the refusal needs to explain itself.
struct OrderStatementResult: Sendable {
    /// Nil when nothing was changed.
    var orderID: Int64?
    /// The requested products that exist (and are not deleted), with their stock before the order.
    var products: [Int64: StockLevel]
    var userExists: Bool
}

extension StoreSession {
    /// Whether `placeOrderInOneStatement` is available: PostgreSQL runs data-modifying CTEs, SQLite and
    /// MySQL do not.
    var placesOrdersInOneStatement: Bool { flavour == .postgres }

    /// Places an order in one statement, atomic on its own, so it needs no transaction: one round trip
    /// where the statement-by-statement placement (`Inventory.take`) makes six. The same rules: every
    /// product exists and has the stock, the user exists, and `expectedTotal`, when given, equals the
    /// total of the price snapshots; then the stock is taken, the order and its lines stored and the
    /// moves recorded — or, when anything fails, nothing is changed.
    ///
    /// The rows are locked in ascending id order before anything is decided (`available`), as the
    /// statement-by-statement placement updates them, so concurrent orders cannot deadlock; a row
    /// changed by another order meanwhile is read as committed (READ COMMITTED re-reads a locked row).
    func placeOrderInOneStatement(
        userID: Int64, date: String, lines: [OrderLineRequest], expectedTotal: Money?, at now: Date
    ) async throws -> OrderStatementResult {
        let rows = try await sql.raw("""
            WITH wanted AS (
                SELECT * FROM unnest(\(bind: lines.map(\.productID))::int8[], \(bind: lines.map(\.quantity))::int8[])
                    WITH ORDINALITY AS w(product_id, quantity, position)
            ), available AS (
                SELECT p.id, p.name, p.price_cents, p.quantity FROM products p JOIN wanted w ON p.id = w.product_id
                WHERE p.deleted_at IS NULL ORDER BY p.id FOR UPDATE OF p
            ), verdict AS (
                SELECT count(*) = \(bind: lines.count) AND bool_and(a.quantity >= w.quantity)
                    AND coalesce(sum(a.price_cents * w.quantity) = \(bind: expectedTotal?.cents)::int8, true)
                    AND EXISTS (SELECT 1 FROM users WHERE id = \(bind: userID)) AS ok
                FROM available a JOIN wanted w ON w.product_id = a.id
            ), moved AS (
                UPDATE products p SET quantity = p.quantity - w.quantity, updated_at = \(bind: now)
                FROM wanted w WHERE p.id = w.product_id AND (SELECT ok FROM verdict)
                RETURNING p.id, p.name, p.price_cents, p.quantity, w.quantity AS taken, w.position
            ), placed AS (
                INSERT INTO orders (user_id, date, status, total_cents, created_at, updated_at)
                SELECT \(bind: userID), \(bind: date), \(bind: OrderStatus.placed.rawValue),
                    sum(m.price_cents * m.taken), \(bind: now), \(bind: now)
                FROM moved m HAVING count(*) > 0
                RETURNING id
            ), order_lines AS (
                INSERT INTO order_items (order_id, position, product_id, name, quantity, unit_price_cents)
                SELECT placed.id, m.position - 1, m.id, m.name, m.taken, m.price_cents FROM placed, moved m
            ), ledger AS (
                INSERT INTO stock_movements (product_id, delta, quantity_after, kind, order_id, created_at)
                SELECT m.id, -m.taken, m.quantity, \(bind: StockMovementKind.order.rawValue), placed.id, \(bind: now)
                FROM placed, moved m
            )
            SELECT a.id, a.name, a.price_cents, a.quantity, (SELECT id FROM placed) AS order_id,
                EXISTS (SELECT 1 FROM users WHERE id = \(bind: userID)) AS user_exists
            FROM (SELECT 1) AS one LEFT JOIN available a ON true
            """).all()
        var result = OrderStatementResult(orderID: nil, products: [:], userExists: false)
        for row in rows {
            result.orderID = try row.decode(column: "order_id", as: Int64?.self)
            result.userExists = try row.decode(column: "user_exists", as: Bool.self)
            guard let id = try row.decode(column: "id", as: Int64?.self) else { continue }
            result.products[id] = StockLevel(name: try row.string("name"), price: try row.money("price_cents"),
                                             quantity: try row.int("quantity"))
        }
        return result
    }
}
