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

/// How `q` finds live products whose name contains a text, ignoring case: the tables to read, the
/// condition to add, and the id column a page walks in order.
struct NameSearch {
    let from: SQLQueryString
    let condition: SQLQueryString
    let orderedID: String
}

extension StoreSession {
    /// SQLite looks a text of three or more characters up in its trigram table (migration 8) and walks
    /// that table in id order, so a page stops after `limit` matches whether the text is common or
    /// rare. A shorter text has no trigram to look up and is matched with LIKE, which SQLite folds for
    /// ASCII only. PostgreSQL's ILIKE uses its pg_trgm index.
    func nameSearch(_ text: String) -> NameSearch {
        let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        switch sql.dialect.name {
        case "sqlite" where text.unicodeScalars.count >= 3:
            // A quoted FTS5 phrase matches the text literally, anywhere in the name.
            let phrase = "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return NameSearch(
                from: "products JOIN products_name_search ON products_name_search.rowid = products.id",
                condition: " AND products_name_search MATCH \(bind: phrase)", orderedID: "products_name_search.rowid"
            )
        case "sqlite":
            return NameSearch(from: "products", condition: " AND products.name LIKE \(bind: pattern) ESCAPE '\\'", orderedID: "id")
        case "postgresql":
            return NameSearch(from: "products", condition: " AND products.name ILIKE \(bind: pattern) ESCAPE '\\'", orderedID: "id")
        default:
            return NameSearch(from: "products", condition: " AND lower(products.name) LIKE lower(\(bind: pattern)) ESCAPE '\\'",
                              orderedID: "id")
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
