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

extension SQLCreateTableBuilder {
    /// The table's 64-bit id, assigned by the database and never reused after a delete (SQLite reuses
    /// the highest id of a plain `INTEGER PRIMARY KEY` unless told `AUTOINCREMENT`).
    @discardableResult
    func idColumn() -> Self {
        if database.dialect.name == "sqlite" {
            return column("id", type: .int, .primaryKey(autoIncrement: false), .custom(SQLRaw("AUTOINCREMENT")))
        }
        return column("id", type: .bigint, .primaryKey(autoIncrement: true))
    }
}

extension StoreSession {
    /// The cheapest question the database can answer, for readiness checks.
    func ping() async throws {
        try await sql.raw("SELECT 1 AS ok").run()
    }
}
