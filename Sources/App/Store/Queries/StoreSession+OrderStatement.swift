import Foundation
import SQLKit

extension StoreSession {
    /// Places several orders in one statement (PostgreSQL), atomic on its own, so it needs no
    /// transaction: one round trip and one commit for them all, where the statement-by-statement
    /// placement (`placeOrder`) makes six for each. Each order is decided by `PlacementRefusal`'s
    /// rules in their order, here in SQL — the statement reports each refusal's reason itself — and
    /// priced as `Order.total(of:)` prices it; an order refused changes nothing. The orders must not
    /// share products (the statement could not see one's stock taken by another): one that shares a
    /// product with an earlier order of the call is left undecided (nil), for the caller to place.
    ///
    /// The rows are locked in ascending id order before anything is decided (`available`), as the
    /// statement-by-statement placement updates them, so concurrent placements cannot deadlock; a row
    /// changed by another placement meanwhile is read as committed (READ COMMITTED re-reads a locked
    /// row). Order ids are drawn in the orders' sequence, so they ascend as the orders came.
    ///
    /// Returns each order's outcome, in their order.
    func placeOrdersInOneStatement(_ orders: [OrderToPlace], at now: Date) async throws -> [PlacementOutcome?] {
        let lines = orders.enumerated().flatMap { member, order in order.request.lines.map { (member, $0) } }
        // One threshold for the statement: every order of a shop is placed under the same one.
        let threshold = orders.first?.lowStockThreshold ?? StockAlert.defaultThreshold
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
                SELECT m.member, m.user_id, m.date, m.placement_token, m.expected_total, m.checks_total,
                    sum(a.price_cents * w.quantity)::int8 AS total,
                    count(DISTINCT w.product_id) < count(*) AS repeats_products,
                    array_agg(w.product_id ORDER BY w.product_id) FILTER (WHERE a.id IS NULL) AS unknown_products,
                    array_agg(w.product_id ORDER BY w.product_id) FILTER (WHERE a.quantity < w.quantity) AS short_products,
                    EXISTS (SELECT 1 FROM users u WHERE u.id = m.user_id) AS user_exists,
                    EXISTS (SELECT 1 FROM wanted mine JOIN wanted earlier ON earlier.product_id = mine.product_id
                            WHERE mine.member = m.member AND earlier.member < m.member) AS undecided
                FROM members m JOIN wanted w ON w.member = m.member LEFT JOIN available a ON a.id = w.product_id
                GROUP BY m.member, m.user_id, m.date, m.expected_total, m.checks_total, m.placement_token
            ), judged AS (
                SELECT v.*, CASE
                    WHEN v.undecided THEN 'undecided'
                    WHEN v.repeats_products THEN 'repeated_products'
                    WHEN v.unknown_products IS NOT NULL THEN 'unknown_products'
                    WHEN v.short_products IS NOT NULL THEN 'out_of_stock'
                    WHEN v.checks_total AND v.total <> v.expected_total THEN 'total_mismatch'
                    WHEN NOT v.user_exists THEN 'unknown_user'
                END AS refusal
                FROM verdict v
            ), accepted AS MATERIALIZED (
                SELECT v.member, v.user_id, v.date, v.placement_token, v.total, nextval(pg_get_serial_sequence('orders', 'id')) AS order_id
                FROM (SELECT * FROM judged WHERE refusal IS NULL ORDER BY member) v
            ), moved AS (
                UPDATE products p SET quantity = p.quantity - w.quantity, updated_at = \(bind: now)
                FROM wanted w JOIN accepted USING (member) WHERE p.id = w.product_id
                RETURNING p.id, p.quantity
            ), placed AS (
                INSERT INTO orders (id, user_id, date, status, total_cents, payment_status, placement_token, created_at, updated_at)
                SELECT order_id, user_id, date, \(bind: OrderStatus.placed.rawValue), total,
                CASE WHEN total = 0 THEN \(bind: Self.freeOrderPaymentStatus) ELSE \(bind: Self.chargedOrderPaymentStatus) END,
                placement_token, \(bind: now), \(bind: now)
                FROM accepted
            ), order_lines AS (
                INSERT INTO order_items (order_id, position, product_id, name, quantity, unit_price_cents)
                SELECT ac.order_id, w.position, w.product_id, a.name, w.quantity, a.price_cents
                FROM accepted ac JOIN wanted w USING (member) JOIN available a ON a.id = w.product_id
            ), ledger AS (
                INSERT INTO stock_movements (product_id, delta, quantity_after, kind, order_id, created_at)
                SELECT w.product_id, -w.quantity, m.quantity, \(bind: StockMovementKind.order.rawValue), ac.order_id, \(bind: now)
                FROM accepted ac JOIN wanted w USING (member) JOIN moved m ON m.id = w.product_id
            ), events AS (
                -- The outbox, as the statement-by-statement placement writes it (`StockAlert`'s rule in SQL).
                INSERT INTO webhook_events (event_id, type, subject_id, quantity_after, created_at)
                SELECT \(WebhookEventID.postgresExpression(at: now)), e.type, e.subject_id, e.quantity_after, \(bind: now)
                FROM (
                    SELECT ac.member, 0 AS rank, \(bind: WebhookEventType.orderPlaced.rawValue) AS type, ac.order_id AS subject_id,
                        NULL::int8 AS quantity_after
                    FROM accepted ac
                    UNION ALL
                    SELECT ac.member, 1, \(bind: WebhookEventType.productStockLow.rawValue), m.id, m.quantity
                    FROM accepted ac JOIN wanted w USING (member) JOIN moved m ON m.id = w.product_id
                    WHERE m.quantity + w.quantity >= \(bind: threshold) AND m.quantity < \(bind: threshold)
                    UNION ALL
                    SELECT ac.member, 2, \(bind: WebhookEventType.productOutOfStock.rawValue), m.id, m.quantity
                    FROM accepted ac JOIN wanted w USING (member) JOIN moved m ON m.id = w.product_id
                    WHERE m.quantity + w.quantity > 0 AND m.quantity = 0
                ) e ORDER BY e.member, e.rank, e.subject_id
            )
            SELECT ac.member, ac.order_id, a.id AS product_id, a.name, a.price_cents,
                NULL::text AS refusal, NULL::int8[] AS refused_products, NULL::int8 AS total
            FROM accepted ac JOIN wanted w USING (member) JOIN available a ON a.id = w.product_id
            UNION ALL
            SELECT j.member, NULL, NULL, NULL, NULL, j.refusal, CASE j.refusal
                    WHEN 'repeated_products' THEN ARRAY(SELECT w.product_id FROM wanted w WHERE w.member = j.member
                                                       GROUP BY w.product_id HAVING count(*) > 1 ORDER BY w.product_id)
                    WHEN 'unknown_products' THEN j.unknown_products
                    WHEN 'out_of_stock' THEN j.short_products
                END, j.total
            FROM judged j WHERE j.refusal IS NOT NULL
            """).all()
        return try Self.outcomes(of: orders, from: rows, at: now)
    }

    /// Each order's outcome from the statement's rows: a placed order's lines (one row each), or a
    /// refused order's reason (one row); nil for an order left undecided.
    /// The payment status of an order as placed, free or not: the domain's rule, given to the statement.
    private static let freeOrderPaymentStatus = Order.paymentStatusWhenPlaced(total: .zero).rawValue
    private static let chargedOrderPaymentStatus = Order.paymentStatusWhenPlaced(total: Money(cents: 1)).rawValue

    private static func outcomes(of orders: [OrderToPlace], from rows: [any SQLRow], at now: Date) throws -> [PlacementOutcome?] {
        var placed: [Int: (orderID: Int64, products: [Int64: (name: String, price: Money)])] = [:]
        var refused: [Int: PlacementRefusal] = [:]
        for row in rows {
            let member = Int(try row.int("member"))
            guard let refusal = try row.optionalString("refusal") else {
                let orderID = try row.int("order_id"), productID = try row.int("product_id")
                placed[member, default: (orderID, [:])].products[productID] = (try row.string("name"), try row.money("price_cents"))
                continue
            }
            let request = orders[member].request
            let productIDs = try row.decodeNil(column: "refused_products") ? [] : row.decode(column: "refused_products", as: [Int64].self)
            switch refusal {
            case "repeated_products": refused[member] = .repeatedProducts(productIDs)
            case "unknown_products": refused[member] = .unknownProducts(productIDs)
            case "out_of_stock": refused[member] = .outOfStock(productIDs)
            case "total_mismatch":
                refused[member] = .totalMismatch(expected: request.expectedTotal ?? .zero, computed: try row.money("total"))
            case "unknown_user": refused[member] = .unknownUser(request.userID)
            default: continue  // undecided
            }
        }
        return orders.indices.map { member in
            if let refusal = refused[member] { return .failure(refusal) }
            guard let (orderID, products) = placed[member] else { return nil }
            let lines = orders[member].request.lines.compactMap { line in
                products[line.productID].map {
                    OrderLine(productID: line.productID, name: $0.name, quantity: line.quantity, unitPrice: $0.price)
                }
            }
            return .success(Order(id: orderID, placing: orders[member], lines: lines, at: now))
        }
    }
}
