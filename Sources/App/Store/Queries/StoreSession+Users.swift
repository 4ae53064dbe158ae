import Foundation
import SQLKit

extension StoreSession {
    private static let userColumns = "id, name, email, phone, created_at, updated_at"

    func users(_ request: PageRequest) async throws -> Page<User> {
        try await page("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE 1 = 1", request, id: \.id, decode: User.init(row:))
    }

    /// `lock`: the transaction will change the user (see `lockClause`).
    func user(id: Int64, lock: Bool = false) async throws -> User? {
        try await sql.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(bind: id)\(lockClause(lock))")
            .first().map(User.init(row:))
    }

    func insertUser(_ fields: UserFields, at now: Date) async throws -> User {
        let id = try await insertReturningID("""
            INSERT INTO users (name, email, email_key, phone, created_at, updated_at)
            VALUES (\(bind: fields.name), \(bind: fields.email), \(bind: Identity.key(fields.email)), \(bind: fields.phone),
            \(bind: now), \(bind: now))
            """)
        return User(id: id, name: fields.name, email: fields.email, phone: fields.phone,
                    createdAt: now, updatedAt: now)
    }

    func updateUser(_ user: User) async throws {
        try await sql.raw("""
            UPDATE users SET name = \(bind: user.name), email = \(bind: user.email), email_key = \(bind: Identity.key(user.email)),
            phone = \(bind: user.phone),
            updated_at = \(bind: user.updatedAt) WHERE id = \(bind: user.id)
            """).run()
    }

    /// Deletes the user and their account; false when no such user exists.
    func deleteUser(id: Int64) async throws -> Bool {
        noteTokensEnded()
        try await sql.raw("""
            DELETE FROM auth_tokens WHERE account_id IN (SELECT id FROM accounts WHERE user_id = \(bind: id))
            """).run()
        try await sql.raw("DELETE FROM accounts WHERE user_id = \(bind: id)").run()
        return try await matchedAnyRow("DELETE FROM users WHERE id = \(bind: id)")
    }

    func userHasOrders(id: Int64) async throws -> Bool {
        try await sql.raw("SELECT 1 AS found FROM orders WHERE user_id = \(bind: id) LIMIT 1").first() != nil
    }
}

extension User {
    init(row: any SQLRow) throws {
        self.init(id: try row.int("id"), name: try row.string("name"), email: try row.string("email"),
                  phone: try row.string("phone"), createdAt: try row.date("created_at"),
                  updatedAt: try row.date("updated_at"))
    }
}

extension Optional where Wrapped == any SQLRow {
    /// A row the statement always returns (e.g. `INSERT … RETURNING`).
    func required() throws -> any SQLRow {
        guard let row = self else { throw StoreInvariantError.missingRow }
        return row
    }
}

/// The database broke a promise of the schema: a bug, answered 500 and logged, never a client error.
enum StoreInvariantError: Error {
    case missingRow
    case unknownValue(column: String, String)
}
