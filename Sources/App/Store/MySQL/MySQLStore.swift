#if MySQL
import Foundation
import Logging
import ServiceLifecycle
import SQLMariaDB

/// MySQL or MariaDB through the SQLMariaDB driver's pool, which closes when this service stops.
/// Stateless like PostgreSQL's store: several instances of the application may share one database.
///
/// Transactions run at READ COMMITTED, as on PostgreSQL (its default): every statement sees what is
/// committed, rows a transaction will change are locked (`FOR UPDATE`, conditional UPDATEs), and
/// InnoDB takes no gap locks, so fewer transactions deadlock than under REPEATABLE READ — whose
/// snapshot would also let a plain read return older data than a locking read just did.
final class MySQLStore: Store {
    /// Deadlocked or lock-timed-out transactions are run again, this many times in all.
    private static let attempts = 5
    let isEmbedded = false
    private let pool: MariaDBConnectionPool
    private let callers: SharedCallerLookups
    private let productReads: SharedProductReads
    private let logger: Logger

    /// Every connection's session: strict data checks (too long or invalid values fail instead of
    /// being truncated), standard string literals (a backslash is just a backslash, as in LIKE's
    /// ESCAPE), InnoDB tables, UTC, and lock waits short enough to retry within a request.
    private static let sessionSetup = [
        "SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_BACKSLASH_ESCAPES,NO_ZERO_IN_DATE,NO_ZERO_DATE,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'",
        "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED",
        "SET SESSION default_storage_engine = InnoDB",
        "SET SESSION time_zone = '+00:00'",
        "SET SESSION innodb_lock_wait_timeout = 10",
    ]

    init(settings: MySQLSettings, logger: Logger) {
        var configuration = MariaDBConfiguration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database
        )
        configuration.connectTimeout = settings.connectTimeout
        configuration.setupStatements = Self.sessionSetup
        // A request waits this long for a free connection before it is answered 503.
        let pool = MariaDBConnectionPool(configuration: configuration, maximumConnections: settings.poolSize,
                                         leaseTimeout: .seconds(30), logger: logger)
        self.pool = pool
        callers = SharedCallerLookups { hashes, now in
            try await Self.read(on: pool, logger: logger) { try await $0.callers(tokenHashes: hashes, at: now) }
        }
        productReads = SharedProductReads { ids in
            try await Self.read(on: pool, logger: logger) { try await $0.products(ids: ids) }
        }
        self.logger = logger
    }

    func run() async throws {
        try? await gracefulShutdown()
        await pool.close()
    }

    // Query logging stays off (`queryLogLevel: nil`), as on the other stores.

    func caller(tokenHash: String, at now: Date) async throws -> Caller? {
        try await callers.caller(tokenHash: tokenHash, at: now)
    }

    func product(id: Int64) async throws -> Product? {
        try await productReads.product(id: id)
    }

    func read<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        try await Self.read(on: pool, logger: logger, work)
    }

    private static func read<T: Sendable>(
        on pool: MariaDBConnectionPool, logger: Logger, _ work: @escaping @Sendable (StoreSession) async throws -> T
    ) async throws -> T {
        try await translatingErrors {
            try await pool.withConnection { connection in
                try await work(StoreSession(sql: connection.sql(logger: logger, queryLogLevel: nil)))
            }
        }
    }

    func transaction<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await Self.translatingErrors {
                    try await pool.withConnection { connection in
                        let sql = connection.sql(logger: logger, queryLogLevel: nil)
                        let session = StoreSession(sql: sql, sessionLocks: SessionLocks())
                        try await sql.raw("START TRANSACTION").run()
                        do {
                            let result = try await work(session)
                            try await sql.raw("COMMIT").run()
                            try await session.releaseSessionLocks()
                            return result
                        } catch {
                            try? await sql.raw("ROLLBACK").run()
                            try? await session.releaseSessionLocks()
                            throw error
                        }
                    }
                }
            } catch RetryableError.lockConflict where attempt < Self.attempts {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...10 * attempt)))
            } catch RetryableError.lockConflict {
                throw AppError.unavailable("The database is busy; please retry.")
            }
        }
    }

    private enum RetryableError: Error {
        case lockConflict
    }

    /// The driver's errors in domain terms: uniqueness → 409 naming the field, a row still referenced
    /// → 409, deadlock or lock wait timeout → retried; an unreachable server or exhausted pool → 503.
    private static func translatingErrors<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as MariaDBError {
            switch error.kind {
            case .duplicateKey:
                throw UniqueConstraints.conflict(describedBy: qualifyingPrimaryKey(in: error))
            case .foreignKeyViolation:
                throw AppError.conflict("The record is still referenced by others.")
            case .deadlock, .lockWaitTimeout:
                throw RetryableError.lockConflict
            case .connectionLost, .connectionFailed, .poolTimeout, .poolClosed:
                throw AppError.unavailable("The database is unavailable; please retry.")
            case .unsupportedValue, .other:
                throw error
            }
        }
    }

    /// MariaDB names a duplicate primary key just `'PRIMARY'` (MySQL 8 `'table.PRIMARY'`); the
    /// table comes from the failed INSERT so the conflict can be told apart from others.
    private static func qualifyingPrimaryKey(in error: MariaDBError) -> String {
        guard error.message.hasSuffix("'PRIMARY'"),
              let match = error.statement?.firstMatch(of: /^\s*INSERT\s+INTO\s+`?(\w+)`?/.ignoresCase())
        else { return error.message }
        return error.message.replacingOccurrences(of: "'PRIMARY'", with: "'\(match.output.1).PRIMARY'")
    }
}
#endif
