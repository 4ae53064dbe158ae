import CSQLite
import NIOConcurrencyHelpers
import NIOCore
import SQLiteNIO

/// One SQLite connection with its prepared statements kept for reuse, confined either to a thread
/// of its own or to whoever holds it. On a thread of its own, every call on the handle is made on
/// that thread: statements run inline when the caller is already there (work that prefers the
/// thread as its executor), and hop there otherwise. A connection without a thread runs its calls
/// on the caller's thread; its owner hands it to one holder at a time (`SQLiteConnections.readAtOnce`).
final class SQLiteEngineConnection: @unchecked Sendable {
    /// Nil for a connection used on its holder's thread.
    let thread: ConnectionThread?
    // Touched only on `thread`, or by the connection's one holder.
    private var handle: OpaquePointer?
    private var statements: [String: CachedStatement] = [:]

    /// A prepared statement and its result's column names, read once rather than at every execution.
    private final class CachedStatement {
        let handle: OpaquePointer
        private var columns: SQLiteEngineColumns?
        private var columnsPreparedAgain: Int32 = 0

        init(_ handle: OpaquePointer) {
            self.handle = handle
        }

        /// SQLite prepares a statement again when the schema changes, and its columns may change with it.
        var preparedAgain: Int32 { sqlite_nio_sqlite3_stmt_status(handle, CSQLITE_STMTSTATUS_REPREPARE, 0) } // 0: no reset

        func resultColumns() -> SQLiteEngineColumns {
            let preparedAgain = preparedAgain
            if let columns, columnsPreparedAgain == preparedAgain { return columns }
            let read = SQLiteEngineColumns(of: handle)
            (columns, columnsPreparedAgain) = (read, preparedAgain)
            return read
        }
    }

    /// Enough for every statement the service repeats; dynamic texts (lists of binds of every length)
    /// beyond it are finalized and prepared again rather than kept without bound.
    private static let statementCacheLimit = 256
    /// Whether SQLite is initialized, after the library was checked; nil before the first open.
    private static let library = NIOLockedValueBox<Result<Void, SQLiteLibraryMismatch>?>(nil)

    private init(thread: ConnectionThread?) {
        self.thread = thread
    }

    /// Opens (creating if needed) the database at `path`, or `":memory:"`, on a new thread named
    /// `threadName`, or for use on its holder's thread when `threadName` is nil.
    static func open(path: String, threadName: String?) async throws -> SQLiteEngineConnection {
        let connection = SQLiteEngineConnection(thread: threadName.map(ConnectionThread.init(name:)))
        do {
            try await connection.onThread { try connection.openOnThread(path) }
        } catch {
            connection.thread?.stop()
            throw error
        }
        return connection
    }

    /// Runs `work` with this connection's thread as its task executor: its statements then run there
    /// without a hop each.
    func withThread<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        guard let thread else { return try await work() }
        return try await withTaskExecutorPreference(thread, operation: work)
    }

    /// Runs one statement with its binds, handing each row to `onRow`, on the connection's thread.
    func run(_ sql: String, _ binds: [SQLiteData], _ onRow: (SQLiteEngineRow) -> Void) async throws {
        try await onThread { try runOnThread(sql, binds, onRow) }
    }

    /// How many times the cached statement for `sql` was prepared again since it was first (nil when
    /// none is cached): SQLite re-prepares a statement whose plan depended on a bound value.
    func timesPreparedAgain(_ sql: String) async throws -> Int32? {
        try await onThread { statements[sql]?.preparedAgain }
    }

    /// Writes the database file through to the disk (fsync) by SQLite's own handle of it, on the
    /// connection's thread. SQLite's own fsync of the file then finds little left to write.
    func syncDatabaseFile() async throws {
        try await onThread {
            let status = csqlite_sync_database_file(handle)
            guard status == SQLiteResultCode.ok else {
                throw SQLiteEngineError(code: status, message: "cannot sync the database file")
            }
        }
    }

    /// Finalizes the statements and closes the database, then lets the thread end.
    func close() async {
        _ = try? await onThread {
            for statement in statements.values {
                sqlite_nio_sqlite3_finalize(statement.handle)
            }
            statements.removeAll()
            sqlite_nio_sqlite3_close_v2(handle)
            handle = nil
        }
        thread?.stop()
    }

    private func onThread<T>(_ work: () throws -> T) async throws -> T {
        guard let thread, !thread.isCurrent else { return try work() }
        return try await withTaskExecutorPreference(thread) {
            guard thread.isCurrent else { throw SQLiteEngineError.closed }
            return try work()
        }
    }

    // MARK: - On the thread

    private func openOnThread(_ path: String) throws {
        // sqlite3_initialize races with itself in some builds; the first open does it alone, once the
        // library is known to be the one the engine was built for.
        try Self.library.withLockedValue { library in
            if library == nil {
                library = Result { () throws(SQLiteLibraryMismatch) in
                    try SQLiteLibrary.checkLinked()
                    sqlite_nio_sqlite3_initialize()
                }
            }
            return library
        }?.get()
        // The thread is the mutex (NOMUTEX); extended result codes tell a UNIQUE conflict apart.
        let flags = CSQLITE_OPEN_READWRITE | CSQLITE_OPEN_CREATE | CSQLITE_OPEN_URI | CSQLITE_OPEN_NOMUTEX | CSQLITE_OPEN_EXRESCODE
        var opened: OpaquePointer?
        let status = sqlite_nio_sqlite3_open_v2(path, &opened, flags, nil)
        guard status == SQLiteResultCode.ok, let opened else {
            let message = opened.map { String(cString: sqlite_nio_sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite_nio_sqlite3_close_v2(opened)
            throw SQLiteEngineError(code: status, message: "cannot open '\(path)': \(message)")
        }
        // Cached statements are the point: their plans must not depend on the values bound (a join
        // on a bound key was prepared anew at every step without this).
        let configured = csqlite_enable_stable_plans(opened)
        guard configured == SQLiteResultCode.ok else {
            let failure = error(configured, on: opened)
            sqlite_nio_sqlite3_close_v2(opened)
            throw failure
        }
        handle = opened
    }

    private func runOnThread(_ sql: String, _ binds: [SQLiteData], _ onRow: (SQLiteEngineRow) -> Void) throws {
        guard let handle else { throw SQLiteEngineError.closed }
        guard let cached = try prepared(sql, on: handle) else { return }
        let statement = cached.handle
        // A statement left unreset would hold its read snapshot open.
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        for (index, value) in binds.enumerated() {
            try check(Self.bind(value, at: Int32(index + 1), to: statement), on: handle)
        }
        var columns: SQLiteEngineColumns?
        while true {
            switch sqlite_nio_sqlite3_step(statement) {
            case SQLiteResultCode.row:
                let names = columns ?? cached.resultColumns()
                columns = names
                onRow(SQLiteEngineRow(columns: names, values: (0..<Int32(names.names.count)).map { Self.value(at: $0, of: statement) }))
            case SQLiteResultCode.done:
                return
            case let status:
                throw error(status, on: handle)
            }
        }
    }

    /// The statement for `sql`, prepared once and kept; nil for a text with no statement in it.
    private func prepared(_ sql: String, on handle: OpaquePointer) throws -> CachedStatement? {
        if let statement = statements[sql] { return statement }
        var statement: OpaquePointer?
        // Persistent: it will be reused. A negative length: the text ends at its NUL.
        try check(sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(CSQLITE_PREPARE_PERSISTENT), &statement, nil), on: handle)
        guard let statement else { return nil }
        if statements.count >= Self.statementCacheLimit {
            for cached in statements.values {
                sqlite_nio_sqlite3_finalize(cached.handle)
            }
            statements.removeAll(keepingCapacity: true)
        }
        let cached = CachedStatement(statement)
        statements[sql] = cached
        return cached
    }

    private func check(_ status: Int32, on handle: OpaquePointer) throws {
        guard status == SQLiteResultCode.ok else { throw error(status, on: handle) }
    }

    private func error(_ status: Int32, on handle: OpaquePointer) -> SQLiteEngineError {
        let code = sqlite_nio_sqlite3_extended_errcode(handle)
        let primary = CSQLITE_PRIMARY_CODE_MASK
        return SQLiteEngineError(code: code & primary == status & primary ? code : status,
                                 message: String(cString: sqlite_nio_sqlite3_errmsg(handle)))
    }

    private static func bind(_ value: SQLiteData, at index: Int32, to statement: OpaquePointer) -> Int32 {
        switch value {
        case .integer(let integer):
            sqlite_nio_sqlite3_bind_int64(statement, index, Int64(integer))
        case .float(let double):
            sqlite_nio_sqlite3_bind_double(statement, index, double)
        case .text(let text):
            sqlite_nio_sqlite3_bind_text64(statement, index, text, UInt64(text.utf8.count), csqlite_transient(), UInt8(CSQLITE_UTF8))
        case .blob(let bytes):
            bytes.withUnsafeReadableBytes {
                sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), csqlite_transient())
            }
        case .null:
            sqlite_nio_sqlite3_bind_null(statement, index)
        }
    }

    private static func value(at column: Int32, of statement: OpaquePointer) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case CSQLITE_INTEGER:
            return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case CSQLITE_FLOAT:
            return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case CSQLITE_TEXT:
            // The length first: a text may hold NUL characters.
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .text("") }
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case CSQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default:
            return .null
        }
    }
}
