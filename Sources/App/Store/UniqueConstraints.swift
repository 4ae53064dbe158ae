/// The unique constraints of the schema and what a violation of each means to a client, so a
/// violation reported by any database becomes a 409 naming the field. The database decides
/// uniqueness; checking first and inserting after would race.
enum UniqueConstraints {
    /// Index name (PostgreSQL, MySQL, and SQLite for expression indexes) or the `table.column` SQLite
    /// reports for plain ones (`table.PRIMARY` for MySQL's primary keys), and the conflict to answer.
    static let conflicts: [(markers: [String], conflict: AppError)] = [
        (["users_email_key", "users.email_key"], taken("email", by: "user")),
        (["accounts_username_key", "accounts.username_key"], taken("username", by: "account")),
        (["accounts_user_id_key", "accounts.user_id"],
         .conflict("This user already has an account.", details: ["user_id": ["is already taken"]])),
        (["products_sku_key", "products.sku"], taken("sku", by: "product")),
        (["idempotency_keys_pkey", "idempotency_keys.scope", "idempotency_keys.PRIMARY"],
         .conflict("A request with this Idempotency-Key is still in progress; retry to receive its result.")),
        (["stripe_events_pkey", "stripe_events.id", "stripe_events.PRIMARY"],
         .conflict("Another delivery of this Stripe event is being applied; Stripe retries this one.")),
    ]

    /// The conflict for a violation whose driver message or constraint name is `text`.
    static func conflict(describedBy text: String) -> AppError {
        conflicts.first { entry in entry.markers.contains { text.contains($0) } }?.conflict
            ?? .conflict("The request conflicts with an existing record.")
    }

    private static func taken(_ field: String, by entity: String) -> AppError {
        .conflict("Another \(entity) already has this \(field).", details: [field: ["is already taken"]])
    }
}
