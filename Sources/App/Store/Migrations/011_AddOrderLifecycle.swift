import SQLKit

/// Payments, refunds and fulfilments of orders. An order keeps its running amounts and derived
/// statuses in columns (changed in the same transaction as the rows that change them), so lists
/// filter on them without summing; each line keeps how much of it was shipped and returned to stock.
struct AddOrderLifecycle: Migration {
    let name = "add_order_lifecycle"

    func prepare(on database: any SQLDatabase) async throws {
        // One column per statement: SQLite adds columns one at a time.
        for (column, type, initial) in [
            ("amount_paid_cents", SQLDataType.bigint, SQLLiteral.numeric("0")),
            ("amount_refunded_cents", .bigint, .numeric("0")),
            ("payment_status", database.keyText(maxLength: 32), .string(PaymentStatus.unpaid.rawValue)),
            ("fulfillment_status", database.keyText(maxLength: 32), .string(FulfillmentStatus.unfulfilled.rawValue)),
        ] {
            try await database.alter(table: "orders").column(column, type: type, .notNull, .default(initial)).run()
        }
        for column in ["fulfilled_quantity", "restocked_quantity"] {
            try await database.alter(table: "order_items")
                .column(column, type: .bigint, .notNull, .default(SQLLiteral.numeric("0"))).run()
        }
        // Existing orders: a free one is paid from the start, and a cancelled one gave all its stock back.
        try await database.update("orders").set("payment_status", to: PaymentStatus.paid.rawValue)
            .where("total_cents", .equal, 0).run()
        try await database.raw("""
            UPDATE order_items SET restocked_quantity = quantity
            WHERE order_id IN (SELECT id FROM orders WHERE status = \(bind: OrderStatus.cancelled.rawValue))
            """).run()

        try await database.create(table: "payments")
            .idColumn()
            .column("order_id", type: .bigint, .notNull, .references("orders", "id"))
            .column("provider", type: .text, .notNull)
            .column("method", type: .text, .notNull)
            .column("amount_cents", type: .bigint, .notNull)
            .column("reference", type: .text)
            .column("created_at", type: .timestamp, .notNull)
            .run()
        try await database.create(table: "refunds")
            .idColumn()
            .column("order_id", type: .bigint, .notNull, .references("orders", "id"))
            .column("amount_cents", type: .bigint, .notNull)
            .column("reason", type: .text)
            .column("created_at", type: .timestamp, .notNull)
            .run()
        try await database.create(table: "fulfillments")
            .idColumn()
            .column("order_id", type: .bigint, .notNull, .references("orders", "id"))
            .column("carrier", type: .text)
            .column("tracking_number", type: .text)
            .column("tracking_url", type: .text)
            .column("created_at", type: .timestamp, .notNull)
            .run()
        for (table, owner) in [("payments", "order_id"), ("refunds", "order_id"), ("fulfillments", "order_id")] {
            try await database.create(index: "\(table)_\(owner)_idx").on(table).column(owner).column("id").run()
        }
        // The products and quantities of a refund's restock and of a fulfilment, in the order given.
        for (table, owner, parent) in [("refund_items", "refund_id", "refunds"), ("fulfillment_items", "fulfillment_id", "fulfillments")] {
            try await database.create(table: table)
                .column(owner, type: .bigint, .notNull, .references(parent, "id"))
                .column("position", type: .int, .notNull)
                .column("product_id", type: .bigint, .notNull, .references("products", "id"))
                .column("quantity", type: .bigint, .notNull)
                .primaryKey(owner, "position")
                .run()
        }
    }

    func revert(on database: any SQLDatabase) async throws {
        for table in ["refund_items", "fulfillment_items", "refunds", "fulfillments", "payments"] {
            try await database.drop(table: table).run()
        }
        for column in ["fulfilled_quantity", "restocked_quantity"] {
            try await database.alter(table: "order_items").dropColumn(column).run()
        }
        for column in ["amount_paid_cents", "amount_refunded_cents", "payment_status", "fulfillment_status"] {
            try await database.alter(table: "orders").dropColumn(column).run()
        }
    }
}
