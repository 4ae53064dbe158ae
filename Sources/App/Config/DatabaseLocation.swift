import Foundation

/// Which database the service uses, from `DATABASE_URL`.
public enum DatabaseLocation: Sendable, Equatable {
    /// An SQLite file, created and migrated when missing.
    case sqliteFile(path: String)
    /// An SQLite database in memory, gone when the process ends.
    case sqliteInMemory
    /// A PostgreSQL server; several instances of the service may share it.
    case postgres(PostgresSettings)
    /// A MySQL or MariaDB server, in builds with the `MySQL` package trait; several instances may share it.
    case mysql(MySQLSettings)

    public static let `default` = DatabaseLocation.sqliteFile(path: "ecommerce.sqlite")

    /// Unset → `ecommerce.sqlite`; `sqlite:PATH` or `sqlite:///ABS/PATH` → that file; `sqlite::memory:` → memory;
    /// `postgres://USER:PASSWORD@HOST:PORT/DB` (or `postgresql://`) → PostgreSQL;
    /// `mysql://USER:PASSWORD@HOST:PORT/DB` (or `mariadb://`) → MySQL or MariaDB, when built with the trait.
    public init(url: String?) throws(ConfigError) {
        guard let url, !url.isEmpty else {
            self = .default
            return
        }
        guard let colon = url.firstIndex(of: ":") else {
            throw ConfigError("DATABASE_URL must look like sqlite:PATH, sqlite::memory: or postgres://USER@HOST/DB; got '\(url)'")
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
        case "postgres", "postgresql":
            self = .postgres(try PostgresSettings(url: url))
        case "mysql", "mariadb":
            #if MySQL
            self = .mysql(try MySQLSettings(url: url))
            #else
            throw ConfigError.mysqlNotBuiltIn
            #endif
        default:
            throw ConfigError("DATABASE_URL has the unsupported scheme '\(scheme)'; use sqlite:PATH, sqlite::memory:, postgres:// or mysql://")
        }
    }
}

/// Where and how to reach PostgreSQL.
public struct PostgresSettings: Sendable, Equatable {
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode
    /// The most connections one instance opens (`DATABASE_POOL_SIZE`).
    public var poolSize = 20
    /// The connections one instance keeps for long reads, besides the pool (`DATABASE_LONG_READ_POOL_SIZE`):
    /// about twice the database's cores kept searches' p99 lowest on this project's machine.
    public var longReadPoolSize = 4
    /// How long opening a connection may take (`DATABASE_CONNECT_TIMEOUT`, seconds).
    public var connectTimeout: Duration = .seconds(10)

    /// Parses `postgres://USER:PASSWORD@HOST:PORT/DB?sslmode=disable|prefer|require`.
    init(url: String) throws(ConfigError) {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
              let username = components.user, !username.isEmpty
        else { throw ConfigError("DATABASE_URL must look like postgres://USER:PASSWORD@HOST:PORT/DB") }
        let database = String(components.path.drop { $0 == "/" })
        let sslMode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "prefer"
        guard let tls = TLSMode(rawValue: sslMode) else {
            throw ConfigError("DATABASE_URL sslmode must be disable, prefer or require; got '\(sslMode)'")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.username = components.percentEncodedUser?.removingPercentEncoding ?? username
        self.password = components.percentEncodedPassword?.removingPercentEncoding
        self.database = database.isEmpty ? self.username : database
        self.tls = tls
    }
}

/// Where and how to reach MySQL or MariaDB.
public struct MySQLSettings: Sendable, Equatable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    /// The most connections one instance opens (`DATABASE_POOL_SIZE`).
    public var poolSize = 20
    /// How long opening a connection may take (`DATABASE_CONNECT_TIMEOUT`, seconds).
    public var connectTimeout: Duration = .seconds(10)

    /// Parses `mysql://USER:PASSWORD@HOST:PORT/DB` (or `mariadb://`); the database is required,
    /// as MySQL has no per-user default database.
    init(url: String) throws(ConfigError) {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty,
              let username = components.user, !username.isEmpty
        else { throw ConfigError("DATABASE_URL must look like mysql://USER:PASSWORD@HOST:PORT/DB") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw ConfigError("DATABASE_URL names no database; use mysql://USER:PASSWORD@HOST:PORT/DB") }
        self.host = host
        self.port = components.port ?? 3306
        self.username = components.percentEncodedUser?.removingPercentEncoding ?? username
        self.password = components.percentEncodedPassword?.removingPercentEncoding
        self.database = database.removingPercentEncoding ?? database
    }
}

extension ConfigError {
    /// A mysql:// URL given to a build without the `MySQL` trait.
    static let mysqlNotBuiltIn = ConfigError(
        "DATABASE_URL names MySQL/MariaDB, but this build has no MySQL support; build with `swift build --traits MySQL` (needs libmariadb-dev)"
    )
}
