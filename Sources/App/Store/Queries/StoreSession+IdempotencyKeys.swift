import Foundation
import SQLKit

/// A placement remembered under its idempotency key.
struct IdempotencyRecord: Sendable {
    var fingerprint: String
    var responseBody: String
}

extension StoreSession {
    func idempotencyRecord(scope: String, key: String) async throws -> IdempotencyRecord? {
        try await sql.raw("""
            SELECT fingerprint, response_body FROM idempotency_keys WHERE scope = \(bind: scope) AND \(ident: "key") = \(bind: key)
            """).first().map { row in
            IdempotencyRecord(fingerprint: try row.string("fingerprint"), responseBody: try row.string("response_body"))
        }
    }

    /// Fails with a conflict when another transaction holds or has stored the same key; on PostgreSQL
    /// the insert waits for that transaction first, so only one of concurrent requests can win.
    func insertIdempotencyRecord(
        scope: String, key: String, _ record: IdempotencyRecord, orderID: Int64, at now: Date
    ) async throws {
        try await sql.raw("""
            INSERT INTO idempotency_keys (scope, \(ident: "key"), fingerprint, order_id, response_body, created_at)
            VALUES (\(bind: scope), \(bind: key), \(bind: record.fingerprint), \(bind: orderID),
            \(bind: record.responseBody), \(bind: now))
            """).run()
    }

    func deleteIdempotencyRecords(before cutoff: Date) async throws {
        try await sql.raw("DELETE FROM idempotency_keys WHERE created_at < \(bind: cutoff)").run()
    }
}
