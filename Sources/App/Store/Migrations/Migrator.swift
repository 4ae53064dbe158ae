import Foundation
import Logging
import SQLKit

/// Applies and reverts migrations, each in its own transaction, recording them in `schema_migrations`.
/// Which migrations are applied is re-read inside each transaction, so two processes migrating at
/// once apply every migration exactly once.
public struct Migrator: Sendable {
    let store: any Store
    let logger: Logger
    let migrations: [any Migration]

    public init(store: any Store, logger: Logger) {
        self.init(store: store, logger: logger, migrations: Migrations.all)
    }

    init(store: any Store, logger: Logger, migrations: [any Migration]) {
        self.store = store
        self.logger = logger
        self.migrations = migrations
    }

    /// Applies every pending migration in order; returns the names applied.
    @discardableResult
    public func migrate() async throws -> [String] {
        try await createHistoryTable()
        var applied: [String] = []
        for (index, migration) in migrations.enumerated() {
            let version = index + 1
            let didApply = try await migrationTransaction { session in
                guard try await !Self.appliedVersions(session.sql).contains(version) else { return false }
                try await migration.prepare(on: session.sql)
                try await session.sql.raw("""
                    INSERT INTO schema_migrations (version, name, applied_at)
                    VALUES (\(bind: version), \(bind: migration.name), \(bind: Date()))
                    """).run()
                return true
            }
            if didApply {
                logger.info("Applied migration", metadata: ["version": "\(version)", "name": "\(migration.name)"])
                applied.append(migration.name)
            }
        }
        return applied
    }

    /// Reverts the most recently applied migration, or every one when `all`; returns the names reverted.
    @discardableResult
    public func revert(all: Bool) async throws -> [String] {
        try await createHistoryTable()
        var reverted: [String] = []
        while true {
            let name: String? = try await migrationTransaction { [migrations] session in
                guard let version = try await Self.appliedVersions(session.sql).max() else { return nil }
                guard migrations.indices.contains(version - 1) else { throw MigrationError.unknownVersion(version) }
                let migration = migrations[version - 1]
                try await migration.revert(on: session.sql)
                try await session.sql.raw("DELETE FROM schema_migrations WHERE version = \(bind: version)").run()
                return migration.name
            }
            guard let name else { break }
            logger.info("Reverted migration", metadata: ["name": "\(name)"])
            reverted.append(name)
            if !all { break }
        }
        return reverted
    }

    private func createHistoryTable() async throws {
        try await migrationTransaction { session in
            try await session.sql.create(table: "schema_migrations").ifNotExists()
                .column("version", type: .bigint, .primaryKey(autoIncrement: false))
                .column("name", type: .text, .notNull)
                .column("applied_at", type: .timestamp, .notNull)
                .run()
        }
    }

    /// A transaction holding the migration lock. Instances starting together wait for each other here;
    /// on SQLite that wait is the busy timeout, which another process's migrations can outlast (SQLite's
    /// lock is not fair: a waiter polls while the holder runs migration after migration), so a busy
    /// database is tried again for as long as another process may take to migrate.
    private func migrationTransaction<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        let deadline = ContinuousClock.now + Self.lockWaitLimit
        var attempt = 1
        while true {
            do {
                return try await store.transaction { session in
                    try await session.lockForMigration()
                    return try await work(session)
                }
            } catch AppError.unavailable where mayRetry(attempt: attempt, until: deadline) {
                logger.info("The database is busy; retrying the migration", metadata: ["attempt": "\(attempt)"])
                attempt += 1
            }
        }
    }

    /// How long a migration waits, on SQLite, for another process's migrations.
    static let lockWaitLimit = Duration.seconds(600)

    /// SQLite: for as long as another process may take to migrate. A server's own lock waits for
    /// that by itself, so there `unavailable` is a server out of reach or a minute's wait (MySQL),
    /// tried a few times.
    private func mayRetry(attempt: Int, until deadline: ContinuousClock.Instant) -> Bool {
        store.isEmbedded ? ContinuousClock.now < deadline : attempt < 5
    }

    private static func appliedVersions(_ database: any SQLDatabase) async throws -> Set<Int> {
        let rows = try await database.raw("SELECT version FROM schema_migrations").all()
        return Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
    }
}

enum MigrationError: Error, CustomStringConvertible {
    case unknownVersion(Int)

    var description: String {
        switch self {
        case .unknownVersion(let version):
            "The database has migration \(version), which this build does not know; use a newer build."
        }
    }
}
