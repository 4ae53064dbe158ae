import SQLKit

struct CreateUsers: Migration {
    let name = "create_users"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.create(table: "users")
            .idColumn()
            .column("name", type: .text, .notNull)
            .column("email", type: .text, .notNull)
            .column("phone", type: .text, .notNull)
            .column("created_at", type: .timestamp, .notNull)
            .column("updated_at", type: .timestamp, .notNull)
            .run()
        // Unique ignoring case, decided by the database so concurrent sign-ups cannot both win.
        try await database.createUniqueIndex("users_email_key", on: "users", expression: "lower(email)")
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.drop(table: "users").run()
    }
}
