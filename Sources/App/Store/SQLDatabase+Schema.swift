import SQLKit

/// Schema differences, for the migrations. PostgreSQL's and SQLite's statements are exactly the ones
/// the migrations always ran; MySQL gets its equivalents.
extension SQLDatabase {
    private var flavour: SQLFlavour { SQLFlavour(dialect) }

    /// A unique index on `expression` of `table` (e.g. `lower(email)`), over the rows matching
    /// `predicate` only when one is given. MySQL has neither expression nor partial indexes: there a
    /// stored generated column holds the expression's SHA-256 (NULL for rows outside the predicate,
    /// which a unique index lets repeat) and the unique index covers it. The hash keeps the key
    /// within InnoDB's limit whatever the text's length; the error still names the index.
    func createUniqueIndex(_ name: String, on table: String, expression: String, where predicate: String? = nil) async throws {
        guard flavour == .mysql else {
            let partial = predicate.map { " WHERE \($0)" } ?? ""
            try await raw("CREATE UNIQUE INDEX \(unsafeRaw: name) ON \(unsafeRaw: table) (\(unsafeRaw: expression))\(unsafeRaw: partial)").run()
            return
        }
        let hash = "UNHEX(SHA2(\(expression), 256))"
        let value = predicate.map { "CASE WHEN \($0) THEN \(hash) END" } ?? hash
        try await raw("""
            ALTER TABLE \(ident: table) ADD COLUMN \(ident: name + "_hash") BINARY(32) GENERATED ALWAYS AS (\(unsafeRaw: value)) STORED,
            ADD UNIQUE INDEX \(ident: name) (\(ident: name + "_hash"))
            """).run()
    }

    /// Drops an index made by `createUniqueIndex` (on MySQL, with its generated column).
    func dropUniqueIndex(_ name: String, on table: String) async throws {
        guard flavour == .mysql else {
            try await raw("DROP INDEX \(unsafeRaw: name)").run()
            return
        }
        try await raw("ALTER TABLE \(ident: table) DROP INDEX \(ident: name), DROP COLUMN \(ident: name + "_hash")").run()
    }

    /// Text that is part of a primary key or unique index: MySQL indexes TEXT only by a prefix, so
    /// there it is a VARCHAR of the longest value the service stores in it, utf8mb4 and compared
    /// byte for byte like the dialect's TEXT.
    func keyText(maxLength: Int) -> SQLDataType {
        flavour == .mysql ? .custom(SQLRaw("VARCHAR(\(maxLength)) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")) : .text
    }

    /// A TEXT column as part of a plain (not unique) index: MySQL indexes its first 255 characters,
    /// which narrows lookups as well as the whole value would.
    func indexed(text column: String) -> any SQLExpression {
        flavour == .mysql ? SQLQueryString("\(ident: column)(255)") : SQLIdentifier(column)
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
