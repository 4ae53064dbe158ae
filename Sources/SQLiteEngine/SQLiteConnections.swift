import Logging
import NIOConcurrencyHelpers
import SQLKit

/// One SQLite database in WAL mode, served by connections of its own: one writer performs every
/// write and transaction, in turn, so writers never meet "database is locked" (and transactions that
/// queue commit together, see `GroupCommit`); a few read connections serve reads alongside it, and
/// one more checkpoints the WAL. Each connection has a thread of its own, so neither a busy wait nor
/// other blocking work can starve its queries, and a piece of work runs on its connection's thread
/// from start to end: a read of several statements is one hop there and one back, and a transaction
/// is run there by the writer's own task, its caller waiting once.
public final class SQLiteConnections: Sendable {
    private let writer: SQLiteEngineConnection
    private let readers: [SQLiteEngineConnection]
    /// Copies the WAL back into the database file, off the writer (nil in memory, where there is no WAL).
    private let checkpointer: SQLiteEngineConnection?
    private let writerSQL: any SQLDatabase
    private let readersSQL: [any SQLDatabase]
    private let writes: GroupCommit
    private let nextReader = NIOLockedValueBox(0)
    private let checkpointing: Checkpointing
    /// `checkpointing.restartBytes` in the database's pages.
    private let restartPages: Int

    /// When the WAL is copied back into the database file.
    public struct Checkpointing: Sendable {
        /// How often the checkpointer runs. Checkpoints end in an fsync of several milliseconds;
        /// run by the writer at commit (SQLite's default) they stalled every order queued behind it.
        public var interval = Duration.milliseconds(250)
        /// WAL size past which the checkpointer also finishes a checkpoint between two writes, so
        /// the next write starts the WAL over: under steady writes it never catches up alone.
        public var restartBytes = 80 << 20
        /// WAL size at which the writer checkpoints itself after all: only if the checkpointer
        /// cannot keep up.
        public var writerBytes = 200 << 20

        public init() {}

        public static let standard = Checkpointing()
    }

    static let newDatabasePageSize = 1_024

    /// Opens the database at `path` (creating it), or one in memory for nil: in memory there is only
    /// the writer, since SQLite cannot share an in-memory database between connections.
    /// `lockWaitLimit` bounds the wait for another process that holds the database's write lock
    /// while this one switches it to WAL mode (migrations run back to back, say).
    /// Throws `SQLiteLibraryMismatch` when the SQLite library is not the one the engine was built
    /// for, `SQLiteEngineError` when SQLite cannot open the database.
    public static func open(
        path: String?, readerCount: Int = 4, checkpointing: Checkpointing = .standard,
        lockWaitLimit: Duration, logger: Logger
    ) async throws -> SQLiteConnections {
        // A new database gets 1 KiB pages (an existing one keeps its own): an order changes about three
        // pages at random (its product's, and one in each index by user and by product), and each is
        // written whole to the WAL and again at the checkpoint. With 4 KiB pages that was ~23 KB
        // written per order; with 1 KiB, a third of it and 6 % more orders/s, reads unchanged but
        // for `q` searches (13 % slower). Set before WAL mode, which fixes the page size.
        var roles = [(name: "sqlite-writer", pragmas: ["page_size = \(newDatabasePageSize)"])]
        if path != nil {
            roles.append((name: "sqlite-checkpt", pragmas: [])) // Linux keeps 15 bytes of a thread's name
            roles += (0..<readerCount).map { (name: "sqlite-reader-\($0 + 1)", pragmas: ["query_only = ON"]) }
        }
        var connections: [SQLiteEngineConnection] = []
        do {
            for role in roles {
                let connection = try await SQLiteEngineConnection.open(path: path ?? ":memory:", threadName: role.name)
                connections.append(connection)
                try await configure(connection, pragmas: role.pragmas)
                // The writer, first: the others find the database in WAL mode.
                if connections.count == 1 { try await enterWALMode(connection, lockWaitLimit: lockWaitLimit) }
            }
            let pageSize = try await integer(from: "page_size", on: connections[0]) ?? 4_096
            try await connections[0].run("PRAGMA wal_autocheckpoint = \(checkpointing.writerBytes / pageSize)", []) { _ in }
            return SQLiteConnections(connections: connections, checkpointing: checkpointing,
                                     restartPages: checkpointing.restartBytes / pageSize, logger: logger)
        } catch {
            await closeAll(connections)
            throw error
        }
    }

    private init(connections: [SQLiteEngineConnection], checkpointing: Checkpointing, restartPages: Int, logger: Logger) {
        self.checkpointing = checkpointing
        self.restartPages = restartPages
        writer = connections[0]
        checkpointer = connections.count > 1 ? connections[1] : nil
        readers = Array(connections.dropFirst(2))
        // No query logging: statements' bound values include password hashes, which no log may hold.
        writerSQL = writer.sql(logger: logger, queryLogLevel: nil)
        readersSQL = readers.map { $0.sql(logger: logger, queryLogLevel: nil) }
        writes = GroupCommit(connection: writer)
    }

    /// A bounded busy timeout, so another process holding the file (e.g. `ecommerce migrate` while
    /// serving) delays a request instead of failing it.
    private static func configure(_ connection: SQLiteEngineConnection, pragmas: [String]) async throws {
        let common = ["busy_timeout = 10000", "foreign_keys = ON", "synchronous = NORMAL"]
        for pragma in common + pragmas {
            try await connection.run("PRAGMA \(pragma)", []) { _ in }
        }
    }

    /// Puts the database in WAL mode. A new database is switched once, by the first process to get
    /// its write lock. Another process opening it at the same time may find that lock taken, first by
    /// the switch (SQLite then answers busy at once: the switch already holds a read lock) and then by
    /// migrations run back to back; it tries again until the database is in WAL mode, which from
    /// then on takes no lock to say so.
    private static func enterWALMode(_ connection: SQLiteEngineConnection, lockWaitLimit: Duration) async throws {
        let deadline = ContinuousClock.now + lockWaitLimit
        while true {
            do {
                try await connection.run("PRAGMA journal_mode = WAL", []) { _ in }
                return
            } catch let error as SQLiteEngineError where error.primaryCode == SQLiteResultCode.busy && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
    }

    /// Runs `work` on a read connection's thread, taking the readers in turn; in memory, on the
    /// writer between two transactions.
    public func read<T: Sendable>(_ work: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard !readers.isEmpty else {
            return try await writes.exclusive { [writerSQL] in try await work(writerSQL) }
        }
        let index = nextReader.withLockedValue { next in
            defer { next = (next + 1) % readers.count }
            return next
        }
        return try await readers[index].withThread { try await work(readersSQL[index]) }
    }

    /// Runs `work` in a transaction on the writer, committed (with the others queued beside it)
    /// before this returns; rolled back alone if `work` throws.
    public func transaction<T: Sendable>(_ work: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writes.transaction { [writerSQL] in try await work(writerSQL) }
    }

    /// Whether there is a WAL to checkpoint (not in memory).
    public var checkpointsWAL: Bool { checkpointer != nil }

    /// Checkpoints the WAL until the calling task is cancelled.
    public func checkpointUntilCancelled() async {
        guard let checkpointer else { return }
        let (checkpointing, restartPages) = (checkpointing, restartPages)
        while !Task.isCancelled {
            try? await Task.sleep(for: checkpointing.interval)
            // A failure here (a full disk) is the writer's to report, on the commit it fails.
            guard let walPages = try? await Self.checkpoint(on: checkpointer), walPages > restartPages
            else { continue }
            // Finishing needs the writer paused, and ends in syncing the WAL and the database
            // file (SQLite syncs the database only when a checkpoint reaches the WAL's end).
            // What the pause must sync is brought down first: the pages copied so far written
            // through, the frames written meanwhile copied (syncing the WAL), and those pages
            // written through in turn. (Orders' p99 under steady load: 90 ms with the first
            // step alone, 45–70 ms with all three.)
            try? await checkpointer.syncDatabaseFile()
            _ = try? await Self.checkpoint(on: checkpointer)
            try? await checkpointer.syncDatabaseFile()
            _ = try? await writes.exclusive { try await Self.checkpoint(on: checkpointer) }
        }
    }

    /// Lets the transactions queued finish, then closes every connection; later work fails as on a
    /// closed connection.
    public func close() async {
        await writes.stop()
        await Self.closeAll([writer] + (checkpointer.map { [$0] } ?? []) + readers)
    }

    /// Copies the WAL into the database file as far as readers allow, without waiting for anyone
    /// (PASSIVE); returns the WAL's size in pages.
    private static func checkpoint(on connection: SQLiteEngineConnection) async throws -> Int {
        try await integer(from: "wal_checkpoint(PASSIVE)", column: "log", on: connection) ?? 0
    }

    /// The integer a pragma answers with in `column` (by default the pragma's name).
    private static func integer(from pragma: String, column: String? = nil, on connection: SQLiteEngineConnection) async throws -> Int? {
        var value: Int?
        try await connection.run("PRAGMA \(pragma)", []) { row in
            value = try? row.decode(column: column ?? pragma, as: Int.self)
        }
        return value
    }

    /// Closes every connection, even when the calling task is cancelled: an unclosed connection leaks
    /// its file and its thread.
    private static func closeAll(_ connections: [SQLiteEngineConnection]) async {
        await Task {
            for connection in connections.reversed() {
                await connection.close()
            }
        }.value
    }
}
