import SQLKit

struct CreateIdempotencyKeys: Migration {
    let name = "create_idempotency_keys"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.create(table: "idempotency_keys")
            // Keys are at most 255 characters (`IdempotencyKey`); scopes are `account:ID`.
            .column("scope", type: database.keyText(maxLength: 255), .notNull)
            .column("key", type: database.keyText(maxLength: 255), .notNull)
            .column("fingerprint", type: .text, .notNull)
            .column("order_id", type: .bigint, .notNull, .references("orders", "id"))
            .column("response_body", type: .text, .notNull)
            .column("created_at", type: .timestamp, .notNull)
            .primaryKey("scope", "key")
            .run()
        try await database.create(index: "idempotency_keys_created_at_idx").on("idempotency_keys")
            .column("created_at").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.drop(table: "idempotency_keys").run()
    }
}
