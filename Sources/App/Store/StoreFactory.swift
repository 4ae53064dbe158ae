import Logging
import SQLiteEngine

extension DatabaseLocation {
    /// Opens the store this location names. Adding a database adds a case here, not a copy of the SQL.
    func openStore(logger: Logger) async throws -> any Store {
        switch self {
        case .sqliteFile(let path):
            return try await Self.openSQLite(path: path, logger: logger)
        case .sqliteInMemory:
            return try await Self.openSQLite(path: nil, logger: logger)
        case .postgres(let settings):
            return PostgresStore(settings: settings, logger: logger)
        case .mysql(let settings):
            #if MySQL
            return MySQLStore(settings: settings, logger: logger)
            #else
            // Not reached: without the trait a mysql:// URL never parses; kept for the switch.
            _ = settings
            throw ConfigError.mysqlNotBuiltIn
            #endif
        }
    }

    /// SQLite's refusals to start as one line each: an SQLite library the engine was not built for,
    /// a database file it cannot open.
    private static func openSQLite(path: String?, logger: Logger) async throws -> SQLiteStore {
        do {
            return try await SQLiteStore.open(path: path, logger: logger)
        } catch let error as SQLiteLibraryMismatch {
            throw ConfigError("\(error)")
        } catch let error as SQLiteEngineError {
            guard let path else { throw error }
            throw ConfigError("DATABASE_URL: cannot open the SQLite database '\(path)': \(error.message)")
        }
    }
}
