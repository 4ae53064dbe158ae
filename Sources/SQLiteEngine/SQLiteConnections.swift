import Logging
import NIOConcurrencyHelpers
import NIOCore
import SQLKit

/// One SQLite database in WAL mode, served by connections of its own: one writer performs every
/// write and transaction, in turn, so writers never meet "database is locked" (and transactions that
/// queue commit together, see `GroupCommit`); a few read connections serve reads alongside it, and
/// one more checkpoints the WAL. Each connection has a thread of its own, so neither a busy wait nor
/// other blocking work can starve its queries, and a piece of work runs on its connection's thread
/// from start to end: a read of several statements is one hop there and one back, and a transaction
/// is run there by the writer's own task, its caller waiting once. A few more read connections have
/// no thread: a short read runs on one at once, on its caller's thread (`readAtOnce`).
public final class SQLiteConnections: Sendable {
    private let writer: SQLiteEngineConnection
    private let readers: [SQLiteEngineConnection]
    /// Read connections used on their holder's thread (`readAtOnce`), and which of them are free.
    private let callerReaders: [SQLiteEngineConnection]
    private let callerReadersSQL: [any SQLDatabase]
    private let freeCallerReaders: NIOLockedValueBox<[Int]>
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
    /// `callerReaderCount` read connections serve `readAtOnce` (by default as many as Swift's
    /// shared pool has threads, where its callers run).
    /// `lockWaitLimit` bounds the wait for another process that holds the database's write lock
    /// while this one switches it to WAL mode (migrations run back to back, say).
    /// Throws `SQLiteLibraryMismatch` when the SQLite library is not the one the engine was built
    /// for, `SQLiteEngineError` when SQLite cannot open the database.
    public static func open(
        path: String?, readerCount: Int = 4, callerReaderCount: Int = System.coreCount,
        checkpointing: Checkpointing = .standard, lockWaitLimit: Duration, logger: Logger
    ) async throws -> SQLiteConnections {
        // A new database gets 1 KiB pages (an existing one keeps its own): an order changes about three
        // pages at random (its product's, and one in each index by user and by product), and each is
        // written whole to the WAL and again at the checkpoint. With 4 KiB pages that was ~23 KB
        // written per order; with 1 KiB, a third of it and 6 % more orders/s, reads unchanged but
        // for `q` searches (13 % slower). Set before WAL mode, which fixes the page size.
        var roles: [(thread: String?, pragmas: [String])] = [("sqlite-writer", ["page_size = \(newDatabasePageSize)"])]
        if path != nil {
            roles.append(("sqlite-checkpt", [])) // Linux keeps 15 bytes of a thread's name
            roles += (0..<readerCount).map { ("sqlite-reader-\($0 + 1)", ["query_only = ON"]) }
            // A read on the caller's thread must not wait there for a lock.
            roles += (0..<callerReaderCount).map { _ in (nil, ["query_only = ON", "busy_timeout = 0"]) }
        }
        var connections: [SQLiteEngineConnection] = []
        do {
            for role in roles {
                let connection = try await SQLiteEngineConnection.open(path: path ?? ":memory:", threadName: role.thread)
                connections.append(connection)
                try await configure(connection, pragmas: role.pragmas)
                // The writer, first: the others find the database in WAL mode.
                if connections.count == 1 { try await enterWALMode(connection, lockWaitLimit: lockWaitLimit) }
            }
            let pageSize = try await integer(from: "page_size", on: connections[0]) ?? 4_096
            try await connections[0].run("PRAGMA wal_autocheckpoint = \(checkpointing.writerBytes / pageSize)", []) { _ in }
            return SQLiteConnections(connections: connections, readerCount: path == nil ? 0 : readerCount,
                                     checkpointing: checkpointing, restartPages: checkpointing.restartBytes / pageSize,
                                     logger: logger)
        } catch {
            await closeAll(connections)
            throw error
        }
    }

    /// `connections`: the writer, then (on a file) the checkpointer, `readerCount` readers with
    /// threads, and readers without.
    private init(connections: [SQLiteEngineConnection], readerCount: Int, checkpointing: Checkpointing,
                 restartPages: Int, logger: Logger) {
        self.checkpointing = checkpointing
        self.restartPages = restartPages
        writer = connections[0]
        checkpointer = connections.count > 1 ? connections[1] : nil
        readers = Array(connections.dropFirst(2).prefix(readerCount))
        let callerReaders = Array(connections.dropFirst(2 + readerCount))
        // No query logging: statements' bound values include password hashes, which no log may hold.
        writerSQL = writer.sql(logger: logger, queryLogLevel: nil)
        readersSQL = readers.map { $0.sql(logger: logger, queryLogLevel: nil) }
        callerReadersSQL = callerReaders.map { $0.sql(logger: logger, queryLogLevel: nil) }
        freeCallerReaders = NIOLockedValueBox(Array(callerReaders.indices))
        self.callerReaders = callerReaders
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

    /// Runs `work`, a short read (a few rows by key), at once on the calling thread when a connection
    /// for that is free, as `read` otherwise: a read on a reader's thread costs two thread wake-ups
    /// (onto that thread and back), which were most of what a product read added to a request. Its
    /// statements block the caller's thread, so they must be short, and they never wait there for a
    /// lock: one that would fails as busy at once. (In WAL mode a read waits only for another process
    /// recovering the database, which no process does while this one has it open.)
    public func readAtOnce<T: Sendable>(_ work: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        guard let index = freeCallerReaders.withLockedValue({ $0.popLast() }) else { return try await read(work) }
        defer { freeCallerReaders.withLockedValue { $0.append(index) } }
        return try await work(callerReadersSQL[index])
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
        await Self.closeAll([writer] + (checkpointer.map { [$0] } ?? []) + readers + callerReaders)
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
