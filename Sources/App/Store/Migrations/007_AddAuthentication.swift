import SQLKit

struct AddAuthentication: Migration {
    let name = "add_authentication"

    func prepare(on database: any SQLDatabase) async throws {
        // Existing accounts become customers; admins are made by `create-admin` or ADMIN_USERNAME.
        try await database.alter(table: "accounts")
            .column("role", type: .text, .notNull, .default(SQLLiteral.string(Role.customer.rawValue)))
            .run()
        try await database.create(table: "auth_tokens")
            .idColumn()
            .column("account_id", type: .bigint, .notNull, .references("accounts", "id"))
            // Only a SHA-256 of the token is kept: a copy of the database signs no one in.
            .column("token_hash", type: database.keyText(maxLength: 64), .notNull)
            .column("created_at", type: .timestamp, .notNull)
            .column("expires_at", type: .timestamp, .notNull)
            .column("revoked_at", type: .timestamp)
            .run()
        try await database.create(index: "auth_tokens_token_hash_key").unique().on("auth_tokens").column("token_hash").run()
        try await database.create(index: "auth_tokens_account_id_idx").on("auth_tokens").column("account_id").run()
        // Failed sign-ins per username, so throttling holds across instances.
        try await database.create(table: "login_failures")
            .idColumn()
            .column("username_key", type: .text, .notNull)
            .column("failed_at", type: .timestamp, .notNull)
            .run()
        try await database.create(index: "login_failures_username_idx").on("login_failures")
            .column(database.indexed(text: "username_key")).column("failed_at").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.drop(table: "login_failures").run()
        try await database.drop(table: "auth_tokens").run()
        try await database.alter(table: "accounts").dropColumn("role").run()
    }
}
