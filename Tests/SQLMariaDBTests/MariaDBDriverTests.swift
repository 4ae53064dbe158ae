#if MySQL
import Foundation
import Logging
import NIOPosix
import SQLKit
import SQLMariaDB
import Testing

/// The driver against a real server: `DATABASE_URL=mysql://USER:PASSWORD@HOST:PORT/DB` (start one with
/// `scripts/test-mariadb.sh start`). Each test works in a database of its own, dropped afterwards.
@Suite(.enabled(if: DriverTestServer.configuration != nil, "needs a MySQL or MariaDB server: set DATABASE_URL=mysql://… (scripts/test-mariadb.sh)"))
struct MariaDBDriverTests {
    @Test func valuesRoundTripFaithfully() async throws {
        try await DriverTestServer.withDatabase { pool in
            try await pool.withConnection { connection in
                let sql = connection.sql(logger: DriverTestServer.logger)
                try await sql.raw("""
                    CREATE TABLE cells (id BIGINT PRIMARY KEY AUTO_INCREMENT, number BIGINT NULL, label VARCHAR(100) NULL,
                    body TEXT NULL, at DATETIME(6) NULL, price DECIMAL(12, 2) NULL, ratio DOUBLE NULL, raw BLOB NULL)
                    CHARACTER SET utf8mb4 COLLATE utf8mb4_bin
                    """).run()
                let emoji = "Cart 🛒, family 👩‍👩‍👧, 𝄞 clef"
                let microseconds = Date(timeIntervalSince1970: 1_767_225_600.123456)
                let before1970 = Date(timeIntervalSince1970: -3_155_760_000.654321)
                // Bound through the driver's own values: a DECIMAL goes as its exact text.
                let rows: [(Int64?, String?, String?, Date?, String?, Double?, [UInt8]?)] = [
                    (nil, nil, nil, nil, nil, nil, nil),
                    (Int64.max, "", emoji, microseconds, "12345678.90", 0.1, [0, 255, 39, 92]),
                    (Int64.min, "x", "", before1970, "-0.01", -1e300, []),
                ]
                for row in rows {
                    let values = try [row.0, row.1, row.2, row.3, row.5, row.6].map { try MariaDBValue(binding: $0 as Any) }
                    _ = try await connection.query(
                        "INSERT INTO cells (number, label, body, at, ratio, raw, price) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        values + [row.4.map(MariaDBValue.decimal) ?? .null]
                    )
                }
                let read = try await sql.raw("SELECT * FROM cells ORDER BY id").all()
                #expect(read.count == 3)
                for (stored, row) in zip(read, rows) {
                    #expect(try stored.decode(column: "number", as: Int64?.self) == row.0)
                    #expect(try stored.decode(column: "label", as: String?.self) == row.1)
                    #expect(try stored.decode(column: "body", as: String?.self) == row.2)
                    #expect(try stored.decode(column: "price", as: String?.self) == row.4)
                    #expect(try stored.decode(column: "ratio", as: Double?.self) == row.5)
                    #expect(try stored.decode(column: "raw", as: [UInt8]?.self) == row.6)
                    let at = try stored.decode(column: "at", as: Date?.self)
                    #expect(at.map(Self.microseconds) == row.3.map(Self.microseconds))
                    #expect(try stored.decodeNil(column: "number") == (row.0 == nil))
                }
                // The server holds the emoji as characters, not as mangled bytes.
                let length = try await sql.raw("SELECT CHAR_LENGTH(body) AS length FROM cells WHERE id = 2").first()
                #expect(try length?.decode(column: "length", as: Int.self) == emoji.unicodeScalars.count)
                // Integers never wrap into a smaller type, and NULL is refused where no Optional was asked for.
                #expect(throws: DecodingError.self) { try read[1].decode(column: "number", as: Int32.self) }
                #expect(throws: DecodingError.self) { try read[0].decode(column: "label", as: String.self) }
            }
        }
    }

    @Test func boundValuesAreNeverReadAsSQL() async throws {
        try await DriverTestServer.withDatabase { pool in
            try await pool.withConnection { connection in
                let sql = connection.sql(logger: DriverTestServer.logger)
                try await sql.raw("CREATE TABLE notes (id BIGINT PRIMARY KEY AUTO_INCREMENT, text TEXT NOT NULL)").run()
                let hostile = ["'; DROP TABLE notes; --", "\\' OR 1=1 -- ", "\" OR \"\"=\"", "?", "`notes`"]
                for text in hostile {
                    try await sql.raw("INSERT INTO notes (text) VALUES (\(bind: text))").run()
                }
                for text in hostile {
                    let matches = try await sql.raw("SELECT text FROM notes WHERE text = \(bind: text)").all()
                    #expect(try matches.map { try $0.decode(column: "text", as: String.self) } == [text])
                }
                let count = try await sql.raw("SELECT COUNT(*) AS count FROM notes").first()
                #expect(try count?.decode(column: "count", as: Int.self) == hostile.count)
            }
        }
    }

    @Test func insertsReportTheirIDAndUpdatesTheRowsTheyMatched() async throws {
        try await DriverTestServer.withDatabase { pool in
            try await pool.withConnection { connection in
                _ = try await connection.query("CREATE TABLE counters (id BIGINT PRIMARY KEY AUTO_INCREMENT, n BIGINT NOT NULL)")
                let first = try await connection.query("INSERT INTO counters (n) VALUES (?)", [.int(5)])
                let second = try await connection.query("INSERT INTO counters (n) VALUES (?)", [.int(5)])
                #expect(second.lastInsertID == first.lastInsertID + 1)
                let lastID = try await connection.query("SELECT LAST_INSERT_ID() AS id")
                #expect(try lastID.rows.first?.decode(column: "id", as: Int64.self) == Int64(second.lastInsertID))
                // Found rows: an UPDATE that changes nothing still reports the row it matched.
                let unchanged = try await connection.query("UPDATE counters SET n = 5 WHERE id = ?", [.uint(first.lastInsertID)])
                #expect(unchanged.affectedRows == 1)
                let none = try await connection.query("UPDATE counters SET n = 6 WHERE id = ?", [.int(-1)])
                #expect(none.affectedRows == 0)
            }
        }
    }

    @Test func serverErrorsAreTyped() async throws {
        try await DriverTestServer.withDatabase { pool in
            try await pool.withConnection { connection in
                _ = try await connection.query("CREATE TABLE parents (id BIGINT PRIMARY KEY, code VARCHAR(10) NOT NULL, UNIQUE KEY parents_code_key (code))")
                _ = try await connection.query("CREATE TABLE children (id BIGINT PRIMARY KEY, parent_id BIGINT NOT NULL REFERENCES parents (id))")
                _ = try await connection.query("INSERT INTO parents (id, code) VALUES (1, ?)", [.text("A")])
                let duplicate = await #expect(throws: MariaDBError.self) {
                    try await connection.query("INSERT INTO parents (id, code) VALUES (2, ?)", [.text("A")])
                }
                #expect(duplicate?.kind == .duplicateKey)
                #expect(duplicate?.code == 1062)
                #expect(duplicate?.message.contains("parents_code_key") == true)
                #expect(duplicate?.statement?.hasPrefix("INSERT INTO parents") == true)
                let orphan = await #expect(throws: MariaDBError.self) {
                    try await connection.query("INSERT INTO children (id, parent_id) VALUES (1, 99)")
                }
                #expect(orphan?.kind == .foreignKeyViolation)
                _ = try await connection.query("INSERT INTO children (id, parent_id) VALUES (1, 1)")
                let referenced = await #expect(throws: MariaDBError.self) { try await connection.query("DELETE FROM parents WHERE id = 1") }
                #expect(referenced?.kind == .foreignKeyViolation)
                let syntax = await #expect(throws: MariaDBError.self) { try await connection.query("SELEC 1") }
                #expect(syntax?.kind == .other)
                #expect(syntax?.code == 1064)
                // An error leaves the connection usable.
                #expect(try await connection.query("SELECT 1 AS one").rows.count == 1)
                #expect(!connection.isBroken)
            }
        }
    }

    @Test func lockWaitsAndDeadlocksAreTyped() async throws {
        try await DriverTestServer.withDatabase(poolSize: 2) { pool in
            try await pool.withConnection { setup in
                _ = try await setup.query("CREATE TABLE slots (id BIGINT PRIMARY KEY, n BIGINT NOT NULL) ENGINE=InnoDB")
                _ = try await setup.query("INSERT INTO slots (id, n) VALUES (1, 0), (2, 0)")
            }
            // Nested leases, so a failing expectation still gives both back and the pool can close.
            try await pool.withConnection { first in try await pool.withConnection { second in
            for connection in [first, second] {
                try await connection.execute(text: "SET SESSION innodb_lock_wait_timeout = 1")
                try await connection.execute(text: "START TRANSACTION")
            }
            _ = try await first.query("SELECT n FROM slots WHERE id = 1 FOR UPDATE")
            let waited = await #expect(throws: MariaDBError.self) {
                try await second.query("UPDATE slots SET n = 1 WHERE id = 1")
            }
            #expect(waited?.kind == .lockWaitTimeout)

            // Each holds one row and asks for the other's: InnoDB rolls one back as the victim, the
            // moment the second request closes the cycle, whichever comes first. Both wait long enough
            // (20 s) that neither times out first, however late the other's request comes.
            for connection in [first, second] {
                try await connection.execute(text: "SET SESSION innodb_lock_wait_timeout = 20")
            }
            _ = try await second.query("SELECT n FROM slots WHERE id = 2 FOR UPDATE")
            let firstWants = Task { await outcome { try await first.query("UPDATE slots SET n = 1 WHERE id = 2") } }
            let secondOutcome = await outcome { try await second.query("UPDATE slots SET n = 2 WHERE id = 1") }
            let firstOutcome = await firstWants.value
            let kinds = [firstOutcome, secondOutcome].compactMap { outcome -> MariaDBError.Kind? in
                if case .failure(let error as MariaDBError) = outcome { return error.kind }
                return nil
            }
            #expect(kinds == [.deadlock])
            for connection in [first, second] {
                try await connection.execute(text: "ROLLBACK")
            }
            } }
        }
    }

    @Test func anExhaustedPoolMakesLeasesWaitThenTimesThemOut() async throws {
        try await DriverTestServer.withDatabase(poolSize: 2, leaseTimeout: .milliseconds(500)) { pool in
            try await pool.withConnection { _ in
                try await pool.withConnection { _ in
                    #expect(await pool.openConnections == 2)
                    let started = ContinuousClock.now
                    let timedOut = await #expect(throws: MariaDBError.self) { try await pool.lease() }
                    #expect(timedOut?.kind == .poolTimeout)
                    // Never before its time (the margin is the two clocks' reading apart).
                    #expect(ContinuousClock.now - started >= .milliseconds(450))
                    #expect(await pool.openConnections == 2, "the pool never grows past its size")
                }
            }
        }
        // Handing over, in a pool whose waits outlast any delay a loaded machine adds: the 500 ms above
        // could pass before the connection came back.
        try await DriverTestServer.withDatabase(poolSize: 2, leaseTimeout: .seconds(60)) { pool in
            try await pool.withConnection { _ in
                let (waiting, released) = try await pool.withConnection { released in
                    // This lease waits until `released` is given back, as the closure returns (or, if it
                    // starts only after, finds it idle: the same connection either way).
                    let waiting = Task { try await pool.lease() }
                    try await Task.sleep(for: .milliseconds(100))
                    return (waiting, released)
                }
                // The waiting lease got the connection given back, not a new one.
                let handedOver = try await waiting.value
                #expect(handedOver === released)
                #expect(await pool.openConnections == 2, "the pool never grows past its size")
                await pool.giveBack(handedOver)
            }
        }
    }

    @Test func connectionsTheServerDroppedAreReplaced() async throws {
        try await DriverTestServer.withDatabase(poolSize: 1) { pool in
            let idle = try await pool.withConnection { connection in connection }
            let killed = idle.id
            // Dropped while idle in the pool (as a server restart does): the next lease gets a fresh one,
            // once the server's hang-up has reached this side (the KILL returns before it does).
            try await DriverTestServer.administer("KILL \(killed)")
            let deadline = ContinuousClock.now + .seconds(60) // milliseconds, but for a hang
            while idle.looksAlive {
                try #require(ContinuousClock.now < deadline, "connection \(killed) still looks alive 60 s after KILL")
                try await Task.sleep(for: .milliseconds(5))
            }
            let fresh = try await pool.withConnection { connection in
                _ = try await connection.query("SELECT 1 AS one")
                return connection.id
            }
            #expect(fresh != killed)

            // Dropped while leased: the statement fails as a lost connection and the pool discards it.
            let lost = await #expect(throws: MariaDBError.self) {
                try await pool.withConnection { connection in
                    try await DriverTestServer.administer("KILL \(connection.id)")
                    _ = try await connection.query("SELECT 1 AS one")
                }
            }
            #expect(lost?.kind == .connectionLost)
            let (replacement, rows) = try await pool.withConnection { connection in
                (connection.id, try await connection.query("SELECT 1 AS one").rows.count)
            }
            #expect(rows == 1)
            #expect(replacement != fresh)
            #expect(await pool.openConnections == 1)
        }
    }

    /// A task cancelled while it holds a connection (a request or the webhook dispatcher at shutdown)
    /// still closes it on the server: the suite once left one open per test app until the server
    /// refused more ("Too many connections").
    @Test func connectionsOfCancelledTasksAreClosedOnTheServer() async throws {
        try await DriverTestServer.withDatabase(poolSize: 1) { pool in
            let direct = try await MariaDBConnection.connect(configuration: pool.configuration, threadPool: .singleton)
            await Task {
                withUnsafeCurrentTask { $0?.cancel() }
                await direct.close()
            }.value
            try await DriverTestServer.expectGone(direct.id)

            let leased = Task {
                try await pool.withConnection { connection in
                    withUnsafeCurrentTask { $0?.cancel() }
                    // Fails unrun in a cancelled task, so the pool discards the connection.
                    _ = try? await connection.query("SELECT 1 AS one")
                    return connection.id
                }
            }
            try await DriverTestServer.expectGone(try await leased.value)
            #expect(await pool.openConnections == 0)
        }
    }

    /// A real restart of the server, by the command in `MARIADB_RESTART_COMMAND` (CI runs this test on
    /// its own with `scripts/test-mariadb.sh restart`, since a restart would fail the tests beside it).
    @Test(.enabled(if: DriverTestServer.restartCommand != nil, "set MARIADB_RESTART_COMMAND to a command that restarts the server"))
    func connectionsSurviveAServerRestart() async throws {
        let restartCommand = try #require(DriverTestServer.restartCommand)
        try await DriverTestServer.withDatabase(poolSize: 2) { pool in
            // One connection idle in the pool across the restart, one leased.
            let idle = try await pool.withConnection { connection in
                _ = try await connection.query("CREATE TABLE survivors (id BIGINT PRIMARY KEY)")
                _ = try await connection.query("INSERT INTO survivors (id) VALUES (1)")
                return connection
            }
            let leased = try await pool.withConnection { connection in
                let restart = Process()
                restart.executableURL = URL(fileURLWithPath: "/bin/bash")
                restart.arguments = ["-c", restartCommand]
                try restart.run()
                restart.waitUntilExit()
                try #require(restart.terminationStatus == 0, "the restart command failed")
                // The connection leased across the restart fails as lost; the pool will not keep it.
                let lost = await #expect(throws: MariaDBError.self) { try await connection.query("SELECT 1 AS one") }
                #expect(lost?.kind == .connectionLost)
                #expect(connection.isBroken)
                return connection
            }
            // Every lease after the restart gets a fresh connection, the idle one included. (Compared as
            // objects, kept alive here: a restarted server numbers its connections afresh.)
            for _ in 0..<2 {
                let (connection, count) = try await pool.withConnection { connection in
                    (connection, try await connection.query("SELECT COUNT(*) AS count FROM survivors").rows.first?
                        .decode(column: "count", as: Int.self))
                }
                #expect(connection !== idle && connection !== leased)
                #expect(count == 1, "committed data survives the restart")
            }
            #expect(await pool.openConnections <= 2)
        }
    }

    @Test func anUnreachableServerFailsWithinTheConnectTimeout() async throws {
        var configuration = MariaDBConfiguration(host: "127.0.0.1", port: try await Self.portNobodyListensOn(), username: "nobody", database: "none")
        configuration.connectTimeout = .seconds(2)
        // The lease would wait ten minutes for a place: only the failed connect can end it sooner.
        let pool = MariaDBConnectionPool(configuration: configuration, maximumConnections: 1, leaseTimeout: .seconds(600),
                                         logger: DriverTestServer.logger)
        let started = ContinuousClock.now
        let failure = await #expect(throws: MariaDBError.self) { try await pool.lease() }
        #expect(failure?.kind == .connectionFailed)
        #expect(ContinuousClock.now - started < .seconds(60), "the failed connect did not end the lease")
        #expect(await pool.openConnections == 0, "a failed open gives its place back")
        await pool.close()
    }

    /// A port the system just gave out and that was closed again, so a connection to it is refused
    /// (never a guessed number, which anything on the machine may hold).
    private static func portNobodyListensOn() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(channel.localAddress?.port)
        try await channel.close().get()
        return port
    }

    private static func microseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }
}

/// The server named by `DATABASE_URL`, and a throw-away database on it per test.
enum DriverTestServer {
    static let logger = Logger(label: "sqlmariadb-tests")
    static let restartCommand = ProcessInfo.processInfo.environment["MARIADB_RESTART_COMMAND"]

    static let configuration: MariaDBConfiguration? = {
        guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"],
              let components = URLComponents(string: url), ["mysql", "mariadb"].contains(components.scheme?.lowercased()),
              let host = components.host, let user = components.user
        else { return nil }
        let database = String(components.path.drop { $0 == "/" })
        return MariaDBConfiguration(host: host, port: components.port ?? 3306, username: user,
                                    password: components.password, database: database.isEmpty ? nil : database)
    }()

    static func administer(_ statement: String) async throws {
        guard let configuration else { return }
        let connection = try await MariaDBConnection.connect(configuration: configuration, threadPool: .singleton)
        do {
            _ = try await connection.query(statement)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }

    /// Waits until the server no longer lists connection `id` (its hang-up takes a moment to arrive).
    static func expectGone(_ id: UInt64, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        guard let configuration else { return }
        let connection = try await MariaDBConnection.connect(configuration: configuration, threadPool: .singleton)
        let deadline = ContinuousClock.now + .seconds(10)
        var listed = true
        while listed, ContinuousClock.now < deadline {
            listed = try await connection.query("SELECT ID FROM information_schema.PROCESSLIST WHERE ID = ?", [.int(Int64(id))]).rows.count > 0
            if listed { try await Task.sleep(for: .milliseconds(20)) }
        }
        await connection.close()
        #expect(!listed, "connection \(id) is still open on the server", sourceLocation: sourceLocation)
    }

    static func withDatabase(
        poolSize: Int = 2, leaseTimeout: Duration = .seconds(10), _ body: (MariaDBConnectionPool) async throws -> Void
    ) async throws {
        guard var configuration else { return }
        let name = "driver_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await administer("CREATE DATABASE \(name) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        configuration.database = name
        let pool = MariaDBConnectionPool(configuration: configuration, maximumConnections: poolSize,
                                         leaseTimeout: leaseTimeout, logger: logger)
        do {
            try await body(pool)
        } catch {
            await pool.close()
            try? await administer("DROP DATABASE IF EXISTS \(name)")
            throw error
        }
        await pool.close()
        try await administer("DROP DATABASE IF EXISTS \(name)")
    }
}

private func outcome<T>(_ body: () async throws -> T) async -> Result<T, any Error> {
    // Result's own init(catching:) takes no async closure.
    do { return .success(try await body()) } catch { return .failure(error) }
}
#endif
