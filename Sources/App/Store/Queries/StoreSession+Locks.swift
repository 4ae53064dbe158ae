import NIOConcurrencyHelpers
import SQLKit

/// Row and named locks, where SQLite, PostgreSQL and MySQL differ most.
extension StoreSession {
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
