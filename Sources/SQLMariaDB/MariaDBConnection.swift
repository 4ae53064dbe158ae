#if MySQL
import CMariaDB
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Where and how to reach the server.
public struct MariaDBConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    /// How long opening a connection may take.
    public var connectTimeout: Duration = .seconds(10)
    /// How long one read or write on the socket may take before the connection counts as lost; longer
    /// than any statement may legitimately wait (lock waits included).
    public var readTimeout: Duration = .seconds(60)
    public var writeTimeout: Duration = .seconds(60)
    /// Statements run on every new connection before it is used, e.g. `SET SESSION …`.
    public var setupStatements: [String] = []

    public init(host: String, port: Int = 3306, username: String, password: String? = nil, database: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
    }
}

/// What a statement produced: its rows, and for writes the rows it matched and the id it assigned.
public struct MariaDBResult: Sendable {
    public var rows: [MariaDBRow]
    /// Rows matched (not only changed) by an UPDATE or DELETE, as `CLIENT_FOUND_ROWS` asks.
    public var affectedRows: UInt64
    /// The AUTO_INCREMENT value the statement assigned, 0 when none.
    public var lastInsertID: UInt64
}

/// `mysql_library_init` once per process, before the first connection, as the library requires.
private enum MariaDBLibrary {
    static let isInitialized: Bool = mysql_server_init(0, nil, nil) == 0
}

/// One connection to the server. Connector/C's calls block, so each runs on a thread of an
/// `NIOThreadPool`, never on an event loop; a `MYSQL*` is not thread-safe, so calls on one connection
/// are serialized by its lock. Statements are server-side prepared and their values bound, never
/// spliced into the SQL text.
public final class MariaDBConnection: @unchecked Sendable {
    // Guarded by `lock`; only touched inside `locked`.
    private let handle: UnsafeMutablePointer<MYSQL>
    private var isClosed = false
    private let lock = NIOLock()
    private let threadPool: NIOThreadPool
    private let brokenFlag = NIOLockedValueBox(false)
    /// The server's id for this connection (`CONNECTION_ID()`, the id `KILL` takes).
    public let id: UInt64
    public let eventLoop: any EventLoop

    /// True once an error showed the connection cannot be used again; the pool then discards it.
    public var isBroken: Bool { brokenFlag.withLockedValue { $0 } }

    private init(handle: UnsafeMutablePointer<MYSQL>, threadPool: NIOThreadPool, eventLoop: any EventLoop) {
        self.handle = handle
        self.threadPool = threadPool
        self.eventLoop = eventLoop
        id = UInt64(mysql_thread_id(handle))
    }

    /// Opens a connection with utf8mb4, the configured timeouts and found-rows counting, then runs the
    /// configuration's setup statements.
    public static func connect(
        configuration: MariaDBConfiguration, threadPool: NIOThreadPool,
        eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.any()
    ) async throws -> MariaDBConnection {
        let connection = try await threadPool.runIfActive {
            try MariaDBConnection(openingWith: configuration, threadPool: threadPool, eventLoop: eventLoop)
        }
        do {
            for statement in configuration.setupStatements {
                try await connection.execute(text: statement)
            }
        } catch let error as MariaDBError {
            await connection.close()
            throw MariaDBError(kind: .connectionFailed, code: error.code, sqlState: error.sqlState,
                               message: "setting up the connection failed: \(error.message)")
        }
        return connection
    }

    private convenience init(
        openingWith configuration: MariaDBConfiguration, threadPool: NIOThreadPool, eventLoop: any EventLoop
    ) throws {
        guard MariaDBLibrary.isInitialized else {
            throw MariaDBError(kind: .connectionFailed, message: "the MariaDB client library failed to initialise")
        }
        guard let handle = mysql_init(nil) else {
            throw MariaDBError(kind: .connectionFailed, message: "out of memory opening a connection")
        }
        var connectSeconds = Self.seconds(configuration.connectTimeout)
        var readSeconds = Self.seconds(configuration.readTimeout)
        var writeSeconds = Self.seconds(configuration.writeTimeout)
        mysql_options(handle, MYSQL_OPT_CONNECT_TIMEOUT, &connectSeconds)
        mysql_options(handle, MYSQL_OPT_READ_TIMEOUT, &readSeconds)
        mysql_options(handle, MYSQL_OPT_WRITE_TIMEOUT, &writeSeconds)
        // 4-byte UTF-8 (emoji) round-trips only with utf8mb4, MySQL's "utf8" stops at 3 bytes.
        mysql_options(handle, MYSQL_SET_CHARSET_NAME, "utf8mb4")
        // Affected rows count the rows an UPDATE matched, as PostgreSQL and SQLite count them.
        let flags = UInt(CLIENT_FOUND_ROWS)
        let connected = mysql_real_connect(
            handle, configuration.host, configuration.username, configuration.password, configuration.database,
            UInt32(configuration.port), nil, flags
        )
        guard connected != nil else {
            let error = MariaDBError(
                code: mysql_errno(handle), sqlState: String(cString: mysql_sqlstate(handle)),
                message: String(cString: mysql_error(handle)), whileConnecting: true
            )
            mysql_close(handle)
            throw error
        }
        self.init(handle: handle, threadPool: threadPool, eventLoop: eventLoop)
    }

    /// Whole seconds, at least one: the library takes its timeouts as an unsigned number of seconds.
    private static func seconds(_ duration: Duration) -> UInt32 {
        let (seconds, attoseconds) = duration.components
        return UInt32(clamping: max(1, seconds + (attoseconds > 0 ? 1 : 0)))
    }

    /// Runs one statement as a server-side prepared statement with `binds` for its `?` placeholders.
    public func query(_ sql: String, _ binds: [MariaDBValue] = []) async throws -> MariaDBResult {
        do {
            return try await onThread { handle in try Self.runPrepared(handle, sql, binds) }
        } catch var error as MariaDBError {
            error.statement = sql
            throw error
        }
    }

    /// Runs SQL text without placeholders through the text protocol (statements that cannot be
    /// prepared, such as some `SET` forms); any rows it returns are discarded.
    public func execute(text sql: String) async throws {
        try await onThread { handle in
            guard mysql_real_query(handle, sql, UInt(sql.utf8.count)) == 0 else { throw Self.error(of: handle) }
            while true {
                if let result = mysql_store_result(handle) {
                    mysql_free_result(result)
                } else if mysql_errno(handle) != 0 {
                    throw Self.error(of: handle)
                }
                // 0: another result follows; -1: that was the last; above 0: an error.
                let next = mysql_next_result(handle)
                if next < 0 { break }
                if next > 0 { throw Self.error(of: handle) }
            }
        }
    }

    /// Closes the connection; later calls fail as lost. Closes in a cancelled task too: the async
    /// `runIfActive` would skip the work there and leave the connection open on the server.
    public func close() async {
        do {
            try await threadPool.runIfActive(eventLoop: eventLoop) { [self] in closeHandle() }.get()
        } catch {
            // The pool's threads have stopped; closing blocks this thread briefly instead.
            closeHandle()
        }
    }

    private func closeHandle() {
        lock.withLock {
            guard !isClosed else { return }
            isClosed = true
            mysql_close(handle)
        }
    }

    /// Whether the idle connection still looks usable, without a round trip: nothing should arrive on
    /// an idle connection's socket, so readable data, a hang-up or an error means the server closed it
    /// (restarted, killed it, or timed it out).
    public var looksAlive: Bool {
        lock.withLock {
            guard !isClosed, !isBroken else { return false }
            let socket = mysql_get_socket(handle)
            var descriptor = pollfd(fd: Int32(socket), events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 0)
            return ready == 0
        }
    }

    /// Runs `work` with the handle on a pool thread, one call at a time; an error that loses the
    /// connection marks it broken.
    private func onThread<T: Sendable>(_ work: @escaping @Sendable (UnsafeMutablePointer<MYSQL>) throws -> T) async throws -> T {
        do {
            return try await threadPool.runIfActive { [self] in
                try lock.withLock {
                    guard !isClosed else { throw MariaDBError(kind: .connectionLost, message: "the connection is closed") }
                    return try work(handle)
                }
            }
        } catch let error as MariaDBError {
            if error.kind == .connectionLost { brokenFlag.withLockedValue { $0 = true } }
            throw error
        } catch {
            // The thread pool is shutting down: the connection is of no further use.
            brokenFlag.withLockedValue { $0 = true }
            throw MariaDBError(kind: .connectionLost, message: "the connection's threads have stopped: \(error)")
        }
    }

    private static func error(of handle: UnsafeMutablePointer<MYSQL>) -> MariaDBError {
        MariaDBError(code: mysql_errno(handle), sqlState: String(cString: mysql_sqlstate(handle)),
                     message: String(cString: mysql_error(handle)))
    }

    private static func error(of statement: UnsafeMutablePointer<MYSQL_STMT>) -> MariaDBError {
        MariaDBError(code: mysql_stmt_errno(statement), sqlState: String(cString: mysql_stmt_sqlstate(statement)),
                     message: String(cString: mysql_stmt_error(statement)))
    }

    // MARK: - Prepared statements (called on a pool thread, under the lock)

    private static func runPrepared(
        _ handle: UnsafeMutablePointer<MYSQL>, _ sql: String, _ binds: [MariaDBValue]
    ) throws -> MariaDBResult {
        guard let statement = mysql_stmt_init(handle) else { throw error(of: handle) }
        defer { mysql_stmt_close(statement) }
        guard mysql_stmt_prepare(statement, sql, UInt(sql.utf8.count)) == 0 else { throw error(of: statement) }
        let placeholders = Int(mysql_stmt_param_count(statement))
        guard placeholders == binds.count else {
            throw MariaDBError(kind: .unsupportedValue,
                               message: "the statement has \(placeholders) placeholders but \(binds.count) values were bound")
        }
        let parameters = ParameterBuffers(binds)
        defer { parameters.deallocate() }
        if placeholders > 0, mysql_stmt_bind_param(statement, parameters.binds) != 0 { throw error(of: statement) }
        // Lets `mysql_stmt_store_result` measure each column, so every buffer is sized before fetching.
        var updateMaxLength: my_bool = 1
        mysql_stmt_attr_set(statement, STMT_ATTR_UPDATE_MAX_LENGTH, &updateMaxLength)
        guard mysql_stmt_execute(statement) == 0 else { throw error(of: statement) }
        let affectedRows = UInt64(mysql_stmt_affected_rows(statement))
        let lastInsertID = UInt64(mysql_stmt_insert_id(statement))
        guard let metadata = mysql_stmt_result_metadata(statement) else {
            if mysql_stmt_errno(statement) != 0 { throw error(of: statement) }
            return MariaDBResult(rows: [], affectedRows: affectedRows, lastInsertID: lastInsertID)
        }
        defer { mysql_free_result(metadata) }
        guard mysql_stmt_store_result(statement) == 0 else { throw error(of: statement) }
        defer { mysql_stmt_free_result(statement) }
        let columnCount = Int(mysql_num_fields(metadata))
        guard let fields = mysql_fetch_fields(metadata) else { throw error(of: statement) }
        let columns = MariaDBColumns(names: (0..<columnCount).map { String(cString: fields[$0].name) })
        let results = ResultBuffers(fields: fields, count: columnCount)
        defer { results.deallocate() }
        if columnCount > 0, mysql_stmt_bind_result(statement, results.binds) != 0 { throw error(of: statement) }
        var rows: [MariaDBRow] = []
        while true {
            let status = mysql_stmt_fetch(statement)
            if status == MYSQL_NO_DATA { break }
            guard status == 0 else {
                if status == MYSQL_DATA_TRUNCATED {
                    throw MariaDBError(kind: .unsupportedValue, message: "a column value did not fit its buffer")
                }
                throw error(of: statement)
            }
            rows.append(MariaDBRow(columns: columns, values: try (0..<columnCount).map(results.value(at:))))
        }
        return MariaDBResult(rows: rows, affectedRows: affectedRows, lastInsertID: lastInsertID)
    }
}

/// The `MYSQL_BIND`s for a statement's parameters and the memory they point into, freed together.
private struct ParameterBuffers {
    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private var allocations: [UnsafeMutableRawPointer] = []

    init(_ values: [MariaDBValue]) {
        binds = .allocate(capacity: max(values.count, 1))
        binds.initialize(repeating: MYSQL_BIND(), count: max(values.count, 1))
        for (index, value) in values.enumerated() {
            var bind = MYSQL_BIND()
            switch value {
            case .null:
                bind.buffer_type = MYSQL_TYPE_NULL
            case .int(let number):
                bind.buffer_type = MYSQL_TYPE_LONGLONG
                bind.buffer = store(number)
            case .uint(let number):
                bind.buffer_type = MYSQL_TYPE_LONGLONG
                bind.buffer = store(number)
                bind.is_unsigned = 1
            case .double(let number):
                bind.buffer_type = MYSQL_TYPE_DOUBLE
                bind.buffer = store(number)
            case .text(let text):
                bind.buffer_type = MYSQL_TYPE_STRING
                (bind.buffer, bind.buffer_length) = store(bytes: Array(text.utf8))
            case .decimal(let text):
                bind.buffer_type = MYSQL_TYPE_NEWDECIMAL
                (bind.buffer, bind.buffer_length) = store(bytes: Array(text.utf8))
            case .bytes(let bytes):
                bind.buffer_type = MYSQL_TYPE_BLOB
                (bind.buffer, bind.buffer_length) = store(bytes: bytes)
            case .datetime(let date):
                bind.buffer_type = MYSQL_TYPE_DATETIME
                bind.buffer = store(MariaDBTime.components(of: date))
            }
            binds[index] = bind
        }
    }

    private mutating func store<T>(_ value: T) -> UnsafeMutableRawPointer {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: MemoryLayout<T>.size, alignment: MemoryLayout<T>.alignment)
        memory.storeBytes(of: value, as: T.self)
        allocations.append(memory)
        return memory
    }

    /// A copy of the bytes; at least one byte is allocated so an empty string still has a buffer.
    private mutating func store(bytes: [UInt8]) -> (UnsafeMutableRawPointer, UInt) {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        bytes.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress ?? UnsafeRawPointer(memory), byteCount: bytes.count) }
        allocations.append(memory)
        return (memory, UInt(bytes.count))
    }

    func deallocate() {
        for memory in allocations { memory.deallocate() }
        binds.deallocate()
    }
}

/// The `MYSQL_BIND`s a fetch writes each row into, one buffer per column sized by the column's
/// longest value, and the conversion of what was fetched into `MariaDBValue`s.
private struct ResultBuffers {
    private enum Form {
        case null, signed, unsigned, double, datetime, time, decimal, text, bytes
    }

    let binds: UnsafeMutablePointer<MYSQL_BIND>
    private let forms: [Form]
    private let lengths: UnsafeMutablePointer<UInt>
    private let nulls: UnsafeMutablePointer<my_bool>

    init(fields: UnsafeMutablePointer<MYSQL_FIELD>, count: Int) {
        binds = .allocate(capacity: max(count, 1))
        binds.initialize(repeating: MYSQL_BIND(), count: max(count, 1))
        lengths = .allocate(capacity: max(count, 1))
        lengths.initialize(repeating: 0, count: max(count, 1))
        nulls = .allocate(capacity: max(count, 1))
        nulls.initialize(repeating: 0, count: max(count, 1))
        var forms: [Form] = []
        for index in 0..<count {
            let field = fields[index]
            let form = Self.form(of: field)
            var bind = MYSQL_BIND()
            bind.length = lengths + index
            bind.is_null = nulls + index
            let size: Int
            switch form {
            case .null: bind.buffer_type = MYSQL_TYPE_NULL; size = 1
            case .signed, .unsigned:
                bind.buffer_type = MYSQL_TYPE_LONGLONG
                bind.is_unsigned = form == .unsigned ? 1 : 0
                size = MemoryLayout<Int64>.size
            case .double: bind.buffer_type = MYSQL_TYPE_DOUBLE; size = MemoryLayout<Double>.size
            case .datetime: bind.buffer_type = MYSQL_TYPE_DATETIME; size = MemoryLayout<MYSQL_TIME>.size
            case .time: bind.buffer_type = MYSQL_TYPE_TIME; size = MemoryLayout<MYSQL_TIME>.size
            case .decimal, .text: bind.buffer_type = MYSQL_TYPE_STRING; size = max(Int(field.max_length), 1)
            case .bytes: bind.buffer_type = MYSQL_TYPE_BLOB; size = max(Int(field.max_length), 1)
            }
            bind.buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
            bind.buffer_length = UInt(size)
            binds[index] = bind
            forms.append(form)
        }
        self.forms = forms
    }

    private static func form(of field: MYSQL_FIELD) -> Form {
        let isUnsigned = field.flags & UInt32(UNSIGNED_FLAG) != 0
        switch field.type {
        case MYSQL_TYPE_NULL: return .null
        case MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_LONG, MYSQL_TYPE_INT24, MYSQL_TYPE_LONGLONG, MYSQL_TYPE_YEAR:
            return isUnsigned ? .unsigned : .signed
        case MYSQL_TYPE_FLOAT, MYSQL_TYPE_DOUBLE: return .double
        case MYSQL_TYPE_DATE, MYSQL_TYPE_DATETIME, MYSQL_TYPE_TIMESTAMP, MYSQL_TYPE_NEWDATE: return .datetime
        case MYSQL_TYPE_TIME: return .time
        case MYSQL_TYPE_DECIMAL, MYSQL_TYPE_NEWDECIMAL: return .decimal
        case MYSQL_TYPE_BIT, MYSQL_TYPE_GEOMETRY: return .bytes
        default:
            // Character set 63 is `binary`: BINARY, VARBINARY and BLOB columns hold bytes, not text.
            return field.charsetnr == 63 ? .bytes : .text
        }
    }

    func value(at index: Int) throws -> MariaDBValue {
        if nulls[index] != 0 { return .null }
        guard let buffer = binds[index].buffer else { return .null }
        switch forms[index] {
        case .null: return .null
        case .signed: return .int(buffer.load(as: Int64.self))
        case .unsigned: return .uint(buffer.load(as: UInt64.self))
        case .double: return .double(buffer.load(as: Double.self))
        case .datetime: return .datetime(MariaDBTime.date(from: buffer.load(as: MYSQL_TIME.self)))
        case .time: return .text(MariaDBTime.timeText(buffer.load(as: MYSQL_TIME.self)))
        case .decimal, .text, .bytes:
            let bytes = Array(UnsafeRawBufferPointer(start: buffer, count: Int(lengths[index])))
            switch forms[index] {
            case .decimal: return .decimal(String(decoding: bytes, as: UTF8.self))
            case .text: return .text(String(decoding: bytes, as: UTF8.self))
            default: return .bytes(bytes)
            }
        }
    }

    func deallocate() {
        for index in 0..<forms.count { binds[index].buffer?.deallocate() }
        binds.deallocate()
        lengths.deallocate()
        nulls.deallocate()
    }
}

/// DATETIME values as UTC calendar fields, converted without Foundation's calendar (hot path).
enum MariaDBTime {
    /// The date's UTC fields, rounded to the microsecond DATETIME(6) keeps.
    static func components(of date: Date) -> MYSQL_TIME {
        let micros = Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = micros.floorDivided(by: 1_000_000)
        let days = seconds.floorDivided(by: 86_400)
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = civil(fromDays: days)
        var time = MYSQL_TIME()
        time.year = UInt32(clamping: year)
        time.month = UInt32(month)
        time.day = UInt32(day)
        time.hour = UInt32(secondOfDay / 3600)
        time.minute = UInt32(secondOfDay % 3600 / 60)
        time.second = UInt32(secondOfDay % 60)
        time.second_part = UInt(micros - seconds * 1_000_000)
        time.time_type = MYSQL_TIMESTAMP_DATETIME
        return time
    }

    static func date(from time: MYSQL_TIME) -> Date {
        let days = daysFromCivil(year: Int64(time.year), month: Int64(time.month), day: Int64(time.day))
        let seconds = days * 86_400 + Int64(time.hour) * 3600 + Int64(time.minute) * 60 + Int64(time.second)
        return Date(timeIntervalSince1970: Double(seconds) + Double(time.second_part) / 1_000_000)
    }

    static func timeText(_ time: MYSQL_TIME) -> String {
        let sign = time.neg != 0 ? "-" : ""
        let hours = Int(time.day) * 24 + Int(time.hour)
        var text = sign + String(format: "%02d:%02d:%02d", hours, time.minute, time.second)
        if time.second_part > 0 { text += String(format: ".%06lu", time.second_part) }
        return text
    }

    /// Howard Hinnant's `civil_from_days`: days since 1970-01-01 → proleptic Gregorian date.
    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// Howard Hinnant's `days_from_civil`, the inverse of `civil(fromDays:)`.
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let year = month <= 2 ? year - 1 : year
        let era = (year >= 0 ? year : year - 399) / 400
        let yearOfEra = year - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

private extension Int64 {
    /// Division rounding toward negative infinity, so times before 1970 split into fields correctly.
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
#endif
