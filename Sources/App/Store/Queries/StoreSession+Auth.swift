import Foundation
import SQLKit

extension StoreSession {
    func insertToken(accountID: Int64, tokenHash: String, at now: Date, expiresAt: Date) async throws {
        try await sql.raw("""
            INSERT INTO auth_tokens (account_id, token_hash, created_at, expires_at)
            VALUES (\(bind: accountID), \(bind: tokenHash), \(bind: now), \(bind: expiresAt))
            """).run()
    }

    /// The accounts behind live tokens (not expired, not revoked), and when each token expires, by
    /// token hash; unknown, expired and revoked tokens are absent. Every method that changes this
    /// answer for a token other than by time (revoking, deleting, a caller's account changed) calls
    /// `noteTokensEnded()`, which is how a store that remembers callers knows to forget them.
    func callers(tokenHashes: Set<String>, at now: Date) async throws -> [String: (caller: Caller, expiresAt: Date)] {
        let rows = try await sql.raw("""
            SELECT auth_tokens.token_hash, auth_tokens.id AS token_id, auth_tokens.expires_at, accounts.id AS account_id,
            accounts.user_id, accounts.role
            FROM auth_tokens JOIN accounts ON accounts.id = auth_tokens.account_id
            WHERE auth_tokens.token_hash IN (\(binds: Array(tokenHashes))) AND auth_tokens.revoked_at IS NULL
            AND auth_tokens.expires_at > \(bind: now)
            """).all()
        return try rows.reduce(into: [:]) { callers, row in
            let caller = Caller(accountID: try row.int("account_id"), userID: try row.int("user_id"), role: try row.choice("role"),
                                tokenID: try row.int("token_id"))
            callers[try row.string("token_hash")] = (caller, try row.date("expires_at"))
        }
    }

    func revokeToken(id: Int64, at now: Date) async throws {
        noteTokensEnded()
        try await sql.raw("UPDATE auth_tokens SET revoked_at = \(bind: now) WHERE id = \(bind: id)").run()
    }

    /// Revokes every live token of the account but `keeping` (the one changing the password, if its own).
    func revokeTokens(accountID: Int64, keeping kept: Int64?, at now: Date) async throws {
        noteTokensEnded()
        try await sql.raw("""
            UPDATE auth_tokens SET revoked_at = \(bind: now)
            WHERE account_id = \(bind: accountID) AND revoked_at IS NULL AND id <> \(bind: kept ?? 0)
            """).run()
    }

    /// Takes one of the username's `limit` places for failures since `start`, or says when the oldest
    /// of them was taken if none is left. The username's attempts are serialised for the transaction
    /// (`lockLoginAttempts`), so counting and taking are one step whatever the concurrency.
    func reserveLoginAttempt(usernameKey: String, since start: Date, at now: Date, limit: Int) async throws -> LoginReservation {
        try await lockLoginAttempts(usernameKey: usernameKey)
        let failures = try await loginFailures(usernameKey: usernameKey, since: start, limit: limit)
        if failures.count >= limit, let oldest = failures.first { return .refused(oldest: oldest) }
        return .reserved(try await recordLoginFailure(usernameKey: usernameKey, at: now))
    }

    /// Counts a sign-in attempt for the username as failed until it proves right; returns its row's id.
    func recordLoginFailure(usernameKey: String, at now: Date) async throws -> Int64 {
        try await insertReturningID("""
            INSERT INTO login_failures (username_key, failed_at) VALUES (\(bind: usernameKey), \(bind: now))
            """)
    }

    func deleteLoginFailure(id: Int64) async throws {
        try await sql.raw("DELETE FROM login_failures WHERE id = \(bind: id)").run()
    }

    /// Failures for the username since `start`, oldest first, at most `limit`.
    func loginFailures(usernameKey: String, since start: Date, limit: Int) async throws -> [Date] {
        try await sql.raw("""
            SELECT failed_at FROM login_failures WHERE username_key = \(bind: usernameKey) AND failed_at > \(bind: start)
            ORDER BY failed_at LIMIT \(bind: limit)
            """).all().map { try $0.date("failed_at") }
    }

    /// How many failures the username has, however old.
    func loginFailureCount(usernameKey: String) async throws -> Int {
        Int(try await sql.raw("""
            SELECT COUNT(*) AS failures FROM login_failures WHERE username_key = \(bind: usernameKey)
            """).first().required().int("failures"))
    }

    /// Forgets a username's failures.
    func clearLoginFailures(usernameKey: String) async throws {
        try await sql.raw("DELETE FROM login_failures WHERE username_key = \(bind: usernameKey)").run()
    }

    /// Deletes at most `limit` tokens that expired or were revoked before `now`; returns how many.
    func deleteEndedTokens(at now: Date, limit: Int) async throws -> Int {
        try await deleteBatch(from: "auth_tokens", where: "expires_at <= \(bind: now) OR revoked_at IS NOT NULL", limit: limit)
    }

    /// Deletes at most `limit` login failures from before `start`; returns how many.
    func deleteLoginFailures(before start: Date, limit: Int) async throws -> Int {
        try await deleteBatch(from: "login_failures", where: "failed_at <= \(bind: start)", limit: limit)
    }

    /// Deletes the first `limit` rows of `table` matching `condition`, by the range of their ids: MySQL
    /// allows neither LIMIT in an IN subquery nor a subquery on the table a DELETE changes.
    private func deleteBatch(from table: String, where condition: SQLQueryString, limit: Int) async throws -> Int {
        let ids = try await sql.raw("""
            SELECT id FROM \(ident: table) WHERE \(condition) ORDER BY id LIMIT \(bind: limit)
            """).all().map { try $0.int("id") }
        guard let last = ids.last, let first = ids.first else { return 0 }
        try await sql.raw("""
            DELETE FROM \(ident: table) WHERE id >= \(bind: first) AND id <= \(bind: last) AND (\(condition))
            """).run()
        return ids.count
    }
}

/// A sign-in attempt's place among the failures a username may have: its row (a failure until its
/// password proves right), or refused with the oldest failure of the window.
enum LoginReservation: Sendable {
    case reserved(Int64)
    case refused(oldest: Date)
}
