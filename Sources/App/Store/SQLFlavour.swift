import SQLKit

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

extension StoreSession {
    /// The database this session speaks to, for the few places SQLite, PostgreSQL and MySQL differ.
    /// SQLite needs no row locks: its store runs every transaction on one connection in turn
    /// (`BEGIN IMMEDIATE`), so a transaction that reads and then writes is never interleaved with another writer.
    var flavour: SQLFlavour { SQLFlavour(sql.dialect) }
}
