import Foundation
import SQLKit

struct CreateStockMovements: Migration {
    let name = "create_stock_movements"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.create(table: "stock_movements")
            .idColumn()
            .column("product_id", type: .bigint, .notNull, .references("products", "id"))
            .column("delta", type: .bigint, .notNull)
            .column("quantity_after", type: .bigint, .notNull)
            .column("kind", type: .text, .notNull)
            .column("reason", type: .text)
            .column("order_id", type: .bigint, .references("orders", "id"))
            .column("created_at", type: .timestamp, .notNull)
            .run()
        try await database.create(index: "stock_movements_product_id_idx").on("stock_movements")
            .column("product_id").column("id").run()
        // Stock that existed before the ledger is its opening balance, so deltas sum to the quantity.
        try await database.raw("""
            INSERT INTO stock_movements (product_id, delta, quantity_after, kind, created_at)
            SELECT id, quantity, quantity, \(bind: StockMovementKind.initial.rawValue), \(bind: Date()) FROM products
            """).run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.drop(table: "stock_movements").run()
    }
}
