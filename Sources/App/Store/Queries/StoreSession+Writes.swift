import SQLKit

/// Writes that report what they did — the new row's id, whether a row matched, the row as updated —
/// the same way on every database, though MySQL has neither `RETURNING` nor changed-row counts.
extension StoreSession {
    /// Runs an INSERT of one row into a table with an `idColumn` and returns the id the database gave
    /// it: `RETURNING id` where the database has it; on MySQL `LAST_INSERT_ID()`, which is per
    /// connection, read on the same one.
    func insertReturningID(_ insert: SQLQueryString) async throws -> Int64 {
        guard let id = try await insertReturningIDIfInserted(insert) else { throw StoreInvariantError.missingRow }
        return id
    }

    /// As `insertReturningID`, for an `INSERT … SELECT … WHERE` that may insert no row: nil then.
    /// MySQL keeps the previous `LAST_INSERT_ID()` when nothing was inserted, so `ROW_COUNT()` says
    /// whether the id is new; both describe the INSERT, the statement before.
    func insertReturningIDIfInserted(_ insert: SQLQueryString) async throws -> Int64? {
        guard flavour == .mysql else {
            return try await sql.raw(insert + " RETURNING id").first().map { try $0.int("id") }
        }
        try await sql.raw(insert).run()
        let row = try await sql.raw("SELECT LAST_INSERT_ID() AS id, ROW_COUNT() AS inserted").first().required()
        return try row.int("inserted") > 0 ? row.int("id") : nil
    }

    /// Runs an UPDATE or DELETE; true when it matched at least one row. MySQL counts matched rather
    /// than changed rows because its connections ask for found rows.
    func matchedAnyRow(_ statement: SQLQueryString) async throws -> Bool {
        guard flavour == .mysql else {
            return try await sql.raw(statement + " RETURNING id").first() != nil
        }
        try await sql.raw(statement).run()
        return try await sql.raw("SELECT ROW_COUNT() AS matched").first().required().int("matched") > 0
    }

    /// Runs an UPDATE of the row `id` of `table` and reads `columns` of the row as updated; nil when
    /// the update matched no row. MySQL has no `UPDATE … RETURNING`: the row is read back in the same
    /// transaction, which the update's row lock keeps from changing meanwhile, along with the count
    /// of rows the update matched (`ROW_COUNT()` still reports the previous statement).
    func updateReturning(_ update: SQLQueryString, columns: String, table: String, id: Int64) async throws -> (any SQLRow)? {
        guard flavour == .mysql else {
            return try await sql.raw(update + " RETURNING \(unsafeRaw: columns)").first()
        }
        try await sql.raw(update).run()
        let row = try await sql.raw("""
            SELECT \(unsafeRaw: columns), ROW_COUNT() AS matched FROM \(ident: table) WHERE id = \(bind: id)
            """).first()
        guard let row, try row.int("matched") > 0 else { return nil }
        return row
    }
}
