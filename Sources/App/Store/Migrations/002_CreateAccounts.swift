import SQLKit

struct CreateAccounts: Migration {
    let name = "create_accounts"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.create(table: "accounts")
            .idColumn()
            .column("username", type: .text, .notNull)
            .column("password_hash", type: .text, .notNull)
            .column("user_id", type: .bigint, .notNull, .references("users", "id"))
            .column("created_at", type: .timestamp, .notNull)
            .column("updated_at", type: .timestamp, .notNull)
            .run()
        try await database.createUniqueIndex("accounts_username_key", on: "accounts", expression: "lower(username)")
        try await database.create(index: "accounts_user_id_key").unique().on("accounts").column("user_id").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.drop(table: "accounts").run()
    }
}
