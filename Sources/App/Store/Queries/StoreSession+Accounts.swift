import Foundation
import SQLKit

extension StoreSession {
    private static let accountColumns = "id, username, password_hash, user_id, role, created_at, updated_at"

    func accounts(_ request: PageRequest) async throws -> Page<Account> {
        try await page("SELECT \(unsafeRaw: Self.accountColumns) FROM accounts WHERE 1 = 1", request, id: \.id,
                       decode: Account.init(row:))
    }

    /// `lock`: the transaction will change the account (see `lockClause`).
    func account(id: Int64, lock: Bool = false) async throws -> Account? {
        try await sql.raw("SELECT \(unsafeRaw: Self.accountColumns) FROM accounts WHERE id = \(bind: id)\(lockClause(lock))")
            .first().map(Account.init(row:))
    }

    func account(userID: Int64, lock: Bool = false) async throws -> Account? {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.accountColumns) FROM accounts WHERE user_id = \(bind: userID)\(lockClause(lock))
            """).first().map(Account.init(row:))
    }

    /// By the username's identity key (`Identity.key`), as usernames are unique by it.
    func account(username: String, lock: Bool = false) async throws -> Account? {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.accountColumns) FROM accounts WHERE username_key = \(bind: Identity.key(username))\(lockClause(lock))
            """).first().map(Account.init(row:))
    }

    func insertAccount(
        username: String, passwordHash: String, userID: Int64, role: Role = .customer, at now: Date
    ) async throws -> Account {
        let id = try await insertReturningID("""
            INSERT INTO accounts (username, username_key, password_hash, user_id, role, created_at, updated_at)
            VALUES (\(bind: username), \(bind: Identity.key(username)), \(bind: passwordHash), \(bind: userID), \(bind: role.rawValue), \(bind: now),
            \(bind: now))
            """)
        return Account(id: id, username: username, passwordHash: passwordHash,
                       userID: userID, role: role, createdAt: now, updatedAt: now)
    }

    func updateAccount(_ account: Account) async throws {
        try await sql.raw("""
            UPDATE accounts SET username = \(bind: account.username), username_key = \(bind: Identity.key(account.username)),
            password_hash = \(bind: account.passwordHash),
            updated_at = \(bind: account.updatedAt) WHERE id = \(bind: account.id)
            """).run()
    }

    /// The ids of every admin account, in id order; `lock` as for `account(id:lock:)`.
    func adminAccountIDs(lock: Bool) async throws -> [Int64] {
        try await sql.raw("""
            SELECT id FROM accounts WHERE role = \(bind: Role.admin.rawValue) ORDER BY id\(lockClause(lock))
            """).all().map { try $0.int("id") }
    }

    /// Deletes the account and its tokens.
    func deleteAccount(id: Int64) async throws -> Bool {
        noteTokensEnded()
        try await sql.raw("DELETE FROM auth_tokens WHERE account_id = \(bind: id)").run()
        return try await matchedAnyRow("DELETE FROM accounts WHERE id = \(bind: id)")
    }
}

extension Account {
    init(row: any SQLRow) throws {
        self.init(id: try row.int("id"), username: try row.string("username"),
                  passwordHash: try row.string("password_hash"), userID: try row.int("user_id"), role: try row.choice("role"),
                  createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
