import Foundation
import SQLKit

extension StoreSession {
    private static let movementColumns = "id, product_id, delta, quantity_after, kind, reason, order_id, created_at"

    func stockMovements(productID: Int64, _ request: PageRequest) async throws -> Page<StockMovement> {
        try await page("""
            SELECT \(unsafeRaw: Self.movementColumns) FROM stock_movements WHERE product_id = \(bind: productID)
            """, request, id: \.id, decode: StockMovement.init(row:))
    }

    /// The latest movements of a product, newest first.
    func latestStockMovements(productID: Int64, limit: Int) async throws -> [StockMovement] {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.movementColumns) FROM stock_movements WHERE product_id = \(bind: productID)
            ORDER BY id DESC LIMIT \(bind: limit)
            """).all().map(StockMovement.init(row:))
    }

    /// Several movements with one cause in one statement (an order's lines); their ids are not needed.
    func insertStockMovements(_ moves: [(productID: Int64, delta: Int64, quantityAfter: Int64)], cause: StockCause, at now: Date) async throws {
        try await insertRows(
            into: "stock_movements", columns: "product_id, delta, quantity_after, kind, reason, order_id, created_at",
            moves.map { [$0.productID, $0.delta, $0.quantityAfter, cause.kind.rawValue, cause.reason, cause.orderID, now] }
        )
    }

    func insertStockMovement(
        productID: Int64, delta: Int64, quantityAfter: Int64, cause: StockCause, at now: Date
    ) async throws -> StockMovement {
        let id = try await insertReturningID("""
            INSERT INTO stock_movements (product_id, delta, quantity_after, kind, reason, order_id, created_at)
            VALUES (\(bind: productID), \(bind: delta), \(bind: quantityAfter), \(bind: cause.kind.rawValue),
            \(bind: cause.reason), \(bind: cause.orderID), \(bind: now))
            """)
        return StockMovement(id: id, productID: productID, delta: delta,
                             quantityAfter: quantityAfter, kind: cause.kind, reason: cause.reason,
                             orderID: cause.orderID, createdAt: now)
    }
}

extension StockMovement {
    init(row: any SQLRow) throws {
        self.init(id: try row.int("id"), productID: try row.int("product_id"), delta: try row.int("delta"),
                  quantityAfter: try row.int("quantity_after"), kind: try row.choice("kind"),
                  reason: try row.optionalString("reason"), orderID: try row.decode(column: "order_id", as: Int64?.self),
                  createdAt: try row.date("created_at"))
    }
}
