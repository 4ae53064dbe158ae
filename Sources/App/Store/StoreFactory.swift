import Logging
import SQLiteDriver

extension DatabaseLocation {
    /// Opens the store this location names. Adding a database adds a case here, not a copy of the SQL.
    func openStore(logger: Logger) async throws -> any Store {
        switch self {
        case .sqliteFile(let path):
            do {
                return try await SQLiteStore.open(path: path, logger: logger)
            } catch let error as SQLiteDriverError {
                throw ConfigError("DATABASE_URL: cannot open the SQLite database '\(path)': \(error.message)")
            }
        case .sqliteInMemory:
            return try await SQLiteStore.open(path: nil, logger: logger)
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
}
