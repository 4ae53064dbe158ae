import Logging
import NIOConcurrencyHelpers
import NIOPosix
import SQLKit
import SQLiteKit
import ServiceLifecycle

/// SQLite in WAL mode: one connection performs every write and transaction, in turn, so writers
/// never meet "database is locked"; a few read connections serve reads alongside it.
/// The store has its own threads for SQLite's blocking calls, one per connection, so neither a
/// busy wait nor other blocking work (password hashing) can starve its queries.
public final class SQLiteStore: Store {
    private let writer: any SQLDatabase
    private let readers: [any SQLDatabase]
    private let connections: [SQLiteConnection]
    private let threadPool: NIOThreadPool
    private let writeLock = AsyncMutex()
    private let nextReader = NIOLockedValueBox(0)

    /// In memory there is only the writer: SQLite cannot share an in-memory database between connections.
    public static func open(path: String?, readerCount: Int = 4, logger: Logger) async throws -> SQLiteStore {
        let storage: SQLiteConnection.Storage = path.map { .file(path: $0) } ?? .memory
        let readerCount = path == nil ? 0 : readerCount
        let threadPool = NIOThreadPool(numberOfThreads: readerCount + 1)
        threadPool.start()
        var connections: [SQLiteConnection] = []
        do {
            for index in 0...readerCount {
                let connection = try await SQLiteConnection.open(
                    storage: storage, threadPool: threadPool, logger: logger,
                    on: MultiThreadedEventLoopGroup.singleton.any()
                )
                connections.append(connection)
                try await configure(connection, pragmas: index == 0 ? ["journal_mode = WAL"] : ["query_only = ON"])
            }
        } catch {
            try? await closeAll(connections, threadPool)
            throw error
        }
        return SQLiteStore(connections: connections, threadPool: threadPool)
    }

    private init(connections: [SQLiteConnection], threadPool: NIOThreadPool) {
        self.connections = connections
        self.threadPool = threadPool
        // No query logging: statements' bound values include password hashes, which no log may hold.
        let databases = connections.map { $0.sql(queryLogLevel: nil) }
        writer = databases[0]
        readers = Array(databases.dropFirst())
    }

    /// A bounded busy timeout replaces the driver's wait-forever handler, so another process holding
    /// the file (e.g. `ecommerce migrate` while serving) delays a request instead of failing it.
    private static func configure(_ connection: SQLiteConnection, pragmas: [String]) async throws {
        let common = ["busy_timeout = 10000", "foreign_keys = ON", "synchronous = NORMAL"]
        for pragma in common + pragmas {
            try await connection.sql().raw("PRAGMA \(unsafeRaw: pragma)").run()
        }
    }

    public func read<T: Sendable>(_ work: @Sendable (StoreSession) async throws -> T) async throws -> T {
        guard !readers.isEmpty else {
            return try await writeLock.withLock { try await Self.translatingErrors { try await work(StoreSession(sql: writer)) } }
        }
        let index = nextReader.withLockedValue { next in
            defer { next = (next + 1) % readers.count }
            return next
        }
        return try await Self.translatingErrors { try await work(StoreSession(sql: readers[index])) }
    }

    public func transaction<T: Sendable>(_ work: @Sendable (StoreSession) async throws -> T) async throws -> T {
        try await writeLock.withLock {
            try await Self.translatingErrors {
                // IMMEDIATE takes the write lock up front: another process waits at BEGIN, never mid-transaction.
                try await writer.raw("BEGIN IMMEDIATE").run()
                do {
                    let result = try await work(StoreSession(sql: writer))
                    try await writer.raw("COMMIT").run()
                    return result
                } catch {
                    try? await writer.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    /// Waits for shutdown (or cancellation), then closes the connections.
    public func run() async throws {
        try? await gracefulShutdown()
        try await Self.closeAll(connections, threadPool)
    }

    /// Closes every connection, then the threads, even when the calling task is cancelled: an
    /// unclosed connection leaks its file.
    private static func closeAll(_ connections: [SQLiteConnection], _ threadPool: NIOThreadPool) async throws {
        try await Task {
            for connection in connections.reversed() {
                try await connection.close()
            }
            try await threadPool.shutdownGracefully()
        }.value
    }

    /// SQLite's errors in domain terms: uniqueness → 409 naming the field, a row still referenced → 409,
    /// a lock held past the busy timeout → 503.
    private static func translatingErrors<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as SQLiteError {
            switch error.reason {
            case .constraintUniqueFailed, .constraintPrimaryKeyFailed:
                throw UniqueConstraints.conflict(describedBy: error.message)
            case .constraintForeignKeyFailed:
                throw AppError.conflict("The record is still referenced by others.")
            case .busy, .busyTimeout, .busyInRecovery, .busyInSnapshot, .locked:
                throw AppError.unavailable("The database is busy; please retry.")
            default:
                throw error
            }
        }
    }
}
