import SQLKit

/// The few places SQLite and PostgreSQL differ, each decided here once. SQLite needs no row locks:
/// its store runs every transaction on one connection in turn (`BEGIN IMMEDIATE`), so a transaction
/// that reads and then writes is never interleaved with another writer.
extension StoreSession {
    private var isPostgres: Bool { sql.dialect.name == "postgresql" }

    /// Appended to a SELECT whose row the transaction will change: on PostgreSQL the row stays locked
    /// until commit, so concurrent read-modify-writes of it happen one after the other.
    func lockClause(_ lock: Bool) -> SQLQueryString {
        lock && isPostgres ? " FOR UPDATE" : ""
    }

    /// Held to the end of the transaction: instances starting together migrate one at a time.
    func lockForMigration() async throws {
        if isPostgres {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: 7_427_311_001)) AS locked").run()
        }
    }
}
