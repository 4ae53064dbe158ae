/// Which database the service uses, from `DATABASE_URL`.
public enum DatabaseLocation: Sendable, Equatable {
    /// An SQLite file, created and migrated when missing.
    case sqliteFile(path: String)
    /// An SQLite database in memory, gone when the process ends.
    case sqliteInMemory

    public static let `default` = DatabaseLocation.sqliteFile(path: "ecommerce.sqlite")

    /// Unset → `ecommerce.sqlite`; `sqlite:PATH` or `sqlite:///ABS/PATH` → that file; `sqlite::memory:` → memory.
    public init(url: String?) throws(ConfigError) {
        guard let url, !url.isEmpty else {
            self = .default
            return
        }
        guard let colon = url.firstIndex(of: ":") else {
            throw ConfigError("DATABASE_URL must look like sqlite:PATH or sqlite::memory:; got '\(url)'")
        }
        let scheme = url[..<colon].lowercased()
        var rest = url[url.index(after: colon)...]
        switch scheme {
        case "sqlite":
            if rest == ":memory:" {
                self = .sqliteInMemory
                return
            }
            // sqlite:///abs/path keeps its leading slash; sqlite://rel/path is relative.
            if rest.hasPrefix("//") { rest = rest.dropFirst(2) }
            guard !rest.isEmpty else { throw ConfigError("DATABASE_URL names no SQLite file; use sqlite:PATH") }
            self = .sqliteFile(path: String(rest))
        default:
            throw ConfigError("DATABASE_URL has the unsupported scheme '\(scheme)'; use sqlite:PATH or sqlite::memory:")
        }
    }
}
