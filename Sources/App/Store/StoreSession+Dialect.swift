import NIOConcurrencyHelpers
import SQLKit

/// The few places SQLite, PostgreSQL and MySQL differ, each decided here once. SQLite needs no row
/// locks: its store runs every transaction on one connection in turn (`BEGIN IMMEDIATE`), so a
/// transaction that reads and then writes is never interleaved with another writer.
extension StoreSession {
    private var flavour: SQLFlavour { SQLFlavour(sql.dialect) }

    /// Appended to a SELECT whose row the transaction will change: on PostgreSQL and MySQL the row
    /// stays locked until commit, so concurrent read-modify-writes of it happen one after the other.
    func lockClause(_ lock: Bool) -> SQLQueryString {
        lock && flavour != .sqlite ? " FOR UPDATE" : ""
    }

    /// Held to the end of the transaction: instances starting together migrate one at a time.
    /// MySQL's named lock belongs to the connection, not the transaction (its DDL commits implicitly),
    /// so its store releases it once the transaction has ended (`releaseSessionLocks`).
    func lockForMigration() async throws {
        switch flavour {
        case .postgres:
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: 7_427_311_001)) AS locked").run()
        case .mysql:
            // Named locks are server-wide: the database's name in the lock's keeps the migrations of
            // other databases on the server (every test has its own) from waiting for each other.
            let name = try await sql.raw("SELECT CONCAT('ecommerce_migrations:', SHA1(DATABASE())) AS name").first()
                .required().string("name")
            let granted = try await sql.raw("SELECT GET_LOCK(\(bind: name), \(bind: 60)) AS locked").first()?
                .decode(column: "locked", as: Int?.self)
            guard granted == 1 else { throw AppError.unavailable("Another instance has been migrating for a minute; please retry.") }
            sessionLocks?.add(name)
        case .sqlite:
            break
        }
    }

    /// Held to the end of the transaction: sign-in attempts for one username count their failures one
    /// at a time, across instances. SQLite's single writer serialises them already. MySQL's named
    /// lock is released after the transaction, as for migrations.
    func lockLoginAttempts(usernameKey: String) async throws {
        switch flavour {
        case .postgres:
            try await sql.raw("""
                SELECT pg_advisory_xact_lock(hashtextextended(\(bind: usernameKey), \(bind: 7_427_311_002))) AS locked
                """).run()
        case .mysql:
            // Server-wide, so the database's name is part of it; hashed to fit GET_LOCK's 64 characters.
            let name = try await sql.raw("""
                SELECT CONCAT('ecommerce_login:', SHA1(CONCAT(DATABASE(), ':', \(bind: usernameKey)))) AS name
                """).first().required().string("name")
            let granted = try await sql.raw("SELECT GET_LOCK(\(bind: name), \(bind: 10)) AS locked").first()?
                .decode(column: "locked", as: Int?.self)
            guard granted == 1 else { throw AppError.unavailable("Sign-ins for this username are busy; please retry.") }
            sessionLocks?.add(name)
        case .sqlite:
            break
        }
    }

    /// Releases the named locks this session took; MySQL's store calls it after COMMIT or ROLLBACK.
    func releaseSessionLocks() async throws {
        for name in sessionLocks?.takeAll() ?? [] {
            try await sql.raw("DO RELEASE_LOCK(\(bind: name))").run()
        }
    }

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

/// Named locks a MySQL session took inside a transaction, for its store to release after it.
final class SessionLocks: Sendable {
    private let names = NIOLockedValueBox<[String]>([])

    func add(_ name: String) { names.withLockedValue { $0.append(name) } }

    func takeAll() -> [String] {
        names.withLockedValue { names in
            defer { names.removeAll() }
            return names
        }
    }
}

/// Which SQL a database speaks, from its SQLKit dialect.
enum SQLFlavour {
    case sqlite, postgres, mysql

    init(_ dialect: any SQLDialect) {
        switch dialect.name {
        case "postgresql": self = .postgres
        case "mysql": self = .mysql
        default: self = .sqlite
        }
    }
}

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
        switch flavour {
        case .sqlite where text.unicodeScalars.count >= 3:
            // A quoted FTS5 phrase matches the text literally, anywhere in the name.
            let phrase = "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return NameSearch(
                from: "products JOIN products_name_search ON products_name_search.rowid = products.id",
                condition: " AND products_name_search MATCH \(bind: phrase)", orderedID: "products_name_search.rowid"
            )
        case .sqlite:
            return NameSearch(from: "products", condition: " AND products.name LIKE \(bind: pattern) ESCAPE '\\'", orderedID: "id")
        case .postgres:
            return NameSearch(from: "products", condition: " AND products.name ILIKE \(bind: pattern) ESCAPE '\\'", orderedID: "id")
        case .mysql:
            // No trigram index on MySQL (migration 8 adds none): a scan in id order, like short texts on SQLite.
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
