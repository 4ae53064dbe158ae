import SQLKit

/// What card payments through Stripe need beside the lifecycle's tables: each PaymentIntent paid
/// into an order once (its amount and how much of it the books show refunded), the refunds this
/// service has asked Stripe for and not yet recorded, and the Stripe events already applied.
struct AddStripePayments: Migration {
    let name = "add_stripe_payments"

    func prepare(on database: any SQLDatabase) async throws {
        // Stripe ids are at most 255 characters.
        try await database.create(table: "stripe_payments")
            .column("payment_intent_id", type: database.keyText(maxLength: 255), .primaryKey(autoIncrement: false))
            .column("order_id", type: .bigint, .notNull, .references("orders", "id"))
            .column("payment_id", type: .bigint, .notNull, .references("payments", "id"))
            .column("amount_cents", type: .bigint, .notNull)
            .column("refunded_cents", type: .bigint, .notNull)
            .run()
        try await database.create(index: "stripe_payments_order_id_idx").on("stripe_payments").column("order_id").run()
        // A refund in flight reserves its amount, so concurrent refunds cannot together exceed what was
        // paid, and a `charge.refunded` event that arrives before it is recorded waits for it.
        try await database.create(table: "stripe_refund_attempts")
            .idColumn()
            .column("order_id", type: .bigint, .notNull, .references("orders", "id"))
            .column("payment_intent_id", type: database.keyText(maxLength: 255), .notNull,
                    .references("stripe_payments", "payment_intent_id"))
            .column("amount_cents", type: .bigint, .notNull)
            .column("created_at", type: .timestamp, .notNull)
            .run()
        try await database.create(index: "stripe_refund_attempts_order_id_idx").on("stripe_refund_attempts").column("order_id").run()
        try await database.create(table: "stripe_events")
            .column("id", type: database.keyText(maxLength: 255), .primaryKey(autoIncrement: false))
            .column("type", type: .text, .notNull)
            .column("received_at", type: .timestamp, .notNull)
            .run()
    }

    func revert(on database: any SQLDatabase) async throws {
        for table in ["stripe_events", "stripe_refund_attempts", "stripe_payments"] {
            try await database.drop(table: table).run()
        }
    }
}
