import SQLKit

struct CreateOrders: Migration {
    let name = "create_orders"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.create(table: "orders")
            .idColumn()
            .column("user_id", type: .bigint, .notNull, .references("users", "id"))
            .column("date", type: .text, .notNull)
            .column("status", type: .text, .notNull)
            .column("total_cents", type: .bigint, .notNull)
            .column("created_at", type: .timestamp, .notNull)
            .column("updated_at", type: .timestamp, .notNull)
            .run()
        try await database.create(index: "orders_user_id_idx").on("orders").column("user_id").column("id").run()
        try await database.create(table: "order_items")
            .column("order_id", type: .bigint, .notNull, .references("orders", "id"))
            .column("position", type: .int, .notNull)
            .column("product_id", type: .bigint, .notNull, .references("products", "id"))
            .column("name", type: .text, .notNull)
            .column("quantity", type: .bigint, .notNull)
            .column("unit_price_cents", type: .bigint, .notNull)
            .primaryKey("order_id", "position")
            .run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.drop(table: "order_items").run()
        try await database.drop(table: "orders").run()
    }
}
