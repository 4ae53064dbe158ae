import Foundation
import Logging
import SQLKit
@testable import SQLiteEngine
import SQLiteKit
import SQLiteNIO
import Testing

@Suite struct SQLiteEngineTests {
    private static let logger = Logger(label: "sqlite-driver-tests")

    private func withConnection<T>(
        path: String = ":memory:", _ body: (SQLiteEngineConnection, any SQLDatabase) async throws -> T
    ) async throws -> T {
        let connection = try await SQLiteEngineConnection.open(path: path, threadName: "sqlite-test")
        do {
            let result = try await body(connection, connection.sql(logger: Self.logger, queryLogLevel: nil))
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Closing any descriptor of a file drops every POSIX lock the process holds on it: a sync that
    /// opened one of its own let another process take the database from under its connections (here,
    /// switching it out of WAL mode, which needs every other connection gone).
    @Test func syncingTheDatabaseFileKeepsTheLocksOtherProcessesRespect() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sqlite-sync-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("locks.sqlite").path
        try await withConnection(path: path) { connection, sql in
            try await sql.raw("PRAGMA journal_mode = WAL").run()
            try await sql.raw("CREATE TABLE t (i INTEGER)").run()
            try await sql.raw("INSERT INTO t VALUES (1)").run()

            try await connection.syncDatabaseFile()

            let otherProcess = Process()
            otherProcess.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            otherProcess.arguments = ["python3", "-c", """
                import sqlite3, sys
                try:
                    mode = sqlite3.connect(sys.argv[1], timeout=0).execute("PRAGMA journal_mode = DELETE").fetchone()[0]
                except sqlite3.OperationalError as error:
                    mode = "refused: %s" % error
                print(mode)
                """, path]
            let output = Pipe()
            otherProcess.standardOutput = output
            try otherProcess.run()
            otherProcess.waitUntilExit()
            let answer = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(answer.trimmingCharacters(in: .whitespacesAndNewlines) == "refused: database is locked",
                    "another process switched the database out of WAL mode while it was open here")
        }
    }

    @Test func valuesOfEveryTypeRoundTrip() async throws {
        try await withConnection { _, sql in
            try await sql.raw("CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n TEXT)").run()
            let text = "naïve \u{0} 東京 🙂"
            try await sql.raw("""
                INSERT INTO t VALUES (\(bind: Int64.max), \(bind: 0.25), \(bind: text), \(bind: [UInt8]([0, 1, 255])), \(bind: String?.none))
                """).run()
            let row = try #require(try await sql.raw("SELECT * FROM t").first())
            #expect(try row.decode(column: "i", as: Int64.self) == Int64.max)
            #expect(try row.decode(column: "r", as: Double.self) == 0.25)
            #expect(try row.decode(column: "s", as: String.self) == text)
            #expect(try row.decode(column: "b", as: [UInt8].self) == [0, 1, 255])
            #expect(try row.decodeNil(column: "n"))
            #expect(row.allColumns == ["i", "r", "s", "b", "n"])
            #expect(throws: DecodingError.self) { try row.decode(column: "missing", as: Int.self) }
        }
    }

    @Test func bindsConvertedDirectlyMatchSQLiteKitsEncoder() throws {
        let binds: [any Encodable & Sendable] = [
            Int64.min, Int64.max, 0, Int.max, "", "naïve 東京", Date(timeIntervalSince1970: 1_234_567_890.125),
            Date(timeIntervalSince1970: 0), 0.5, UInt8(255), Int32(7), String?.none, [UInt8]([1, 2]),
        ]
        for bind in binds {
            #expect(try SQLiteEngineDatabase.encode(bind) == SQLiteDataEncoder().encode(bind), "\(bind)")
        }
    }

    @Test func valuesConvertedDirectlyMatchSQLiteKitsDecoder() throws {
        let values: [SQLiteData] = [.integer(-3), .integer(.max), .float(1_234_567_890.5), .text("42"), .text("naïve"), .null]
        func same<D: Decodable & Equatable>(_ type: D.Type, _ data: SQLiteData) -> Bool {
            switch (Result { try SQLiteEngineRow.decode(D.self, from: data) }, Result { try SQLiteDataDecoder().decode(D.self, from: data) }) {
            case (.success(let direct), .success(let decoded)): direct == decoded
            case (.failure, .failure): true
            default: false
            }
        }
        for data in values {
            #expect(same(Int64.self, data), "\(data)")
            #expect(same(Int.self, data), "\(data)")
            #expect(same(String.self, data), "\(data)")
            #expect(same(Date.self, data), "\(data)")
            #expect(same(Double.self, data), "\(data)")
            #expect(same(String?.self, data), "\(data)")
        }
    }

    @Test func aCachedStatementRunsWithEachCallsBinds() async throws {
        try await withConnection { _, sql in
            try await sql.raw("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)").run()
            for id in 1...3 {
                try await sql.raw("INSERT INTO t (id, name) VALUES (\(bind: id), \(bind: "n\(id)"))").run()
            }
            for id in 1...3 {
                let row = try #require(try await sql.raw("SELECT name FROM t WHERE id = \(bind: id)").first())
                #expect(try row.decode(column: "name", as: String.self) == "n\(id)")
            }
            // More distinct texts than the cache keeps: the oldest are prepared again, results unchanged.
            for extra in 0..<300 {
                let row = try #require(try await sql.raw("SELECT \(unsafeRaw: String(extra)) AS v, name FROM t WHERE id = 2").first())
                #expect(try row.decode(column: "v", as: Int.self) == extra)
            }
        }
    }

    /// Column names are kept with the cached statement, and read again when a schema change makes
    /// SQLite prepare it again.
    @Test func aCachedStatementsColumnsFollowTheSchema() async throws {
        try await withConnection { _, sql in
            try await sql.raw("CREATE TABLE t (a INTEGER)").run()
            try await sql.raw("INSERT INTO t VALUES (1)").run()
            #expect(try await sql.raw("SELECT * FROM t").first()?.allColumns == ["a"])
            #expect(try await sql.raw("SELECT * FROM t").first()?.allColumns == ["a"])
            try await sql.raw("ALTER TABLE t ADD COLUMN b TEXT").run()
            let row = try #require(try await sql.raw("SELECT * FROM t").first())
            #expect(row.allColumns == ["a", "b"])
            #expect(try row.decodeNil(column: "b"))
        }
    }

    /// A join on a bound key had a plan that depended on the value: SQLite prepared the cached
    /// statement again at every step, which was two fifths of a signed-in request's read.
    @Test func aCachedStatementKeepsItsPlanWhateverIsBound() async throws {
        try await withConnection { connection, sql in
            try await sql.raw("CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT)").run()
            try await sql.raw("CREATE TABLE t (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id), key TEXT UNIQUE)").run()
            let lookup: (String) -> SQLQueryString = { key in
                "SELECT t.id, a.name FROM t JOIN a ON a.id = t.a_id WHERE t.key = \(bind: key)"
            }
            for index in 0..<5 {
                _ = try await sql.raw(lookup("key \(index)")).all()
            }
            var serializer = SQLSerializer(database: sql)
            lookup("").serialize(to: &serializer)
            #expect(try await connection.timesPreparedAgain(serializer.sql) == 0)
        }
    }

    @Test func failuresCarrySQLitesExtendedCodeAndMessage() async throws {
        try await withConnection { _, sql in
            try await sql.raw("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)").run()
            try await sql.raw("INSERT INTO t (name) VALUES ('a')").run()
            let error = await #expect(throws: SQLiteEngineError.self) {
                try await sql.raw("INSERT INTO t (name) VALUES ('a')").run()
            }
            #expect(error?.code == SQLiteResultCode.constraintUnique)
            #expect(error?.primaryCode == SQLiteResultCode.constraint)
            #expect(error?.message.contains("t.name") == true)
            // The failed statement was reset: the same text runs again once the conflict is gone.
            try await sql.raw("DELETE FROM t").run()
            try await sql.raw("INSERT INTO t (name) VALUES ('a')").run()
            let syntax = await #expect(throws: SQLiteEngineError.self) { try await sql.raw("SELEC 1").run() }
            #expect(syntax?.code == 1 && syntax?.message.contains("syntax error") == true, "\(String(describing: syntax))") // SQLITE_ERROR
        }
    }

    @Test func workThatPrefersTheThreadRunsEveryStatementThere() async throws {
        try await withConnection { connection, sql in
            let thread = try #require(connection.thread)
            #expect(!thread.isCurrent)
            let onThread = try await connection.withThread {
                try await sql.raw("CREATE TABLE t (id INTEGER)").run()
                let before = thread.isCurrent
                try await sql.raw("INSERT INTO t VALUES (1)").run()
                try await Task.sleep(for: .milliseconds(1))
                return before && thread.isCurrent
            }
            #expect(onThread)
            // From elsewhere, a statement hops to the thread and back.
            #expect(try await sql.raw("SELECT count(*) AS c FROM t").first()?.decode(column: "c", as: Int.self) == 1)
        }
    }

    @Test func aReaderSeesWhatAnotherConnectionCommittedAfterItsLastRead() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("driver-\(UUID()).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await withConnection(path: path) { _, writer in
            try await writer.raw("PRAGMA journal_mode = WAL").run()
            try await writer.raw("CREATE TABLE t (id INTEGER)").run()
            try await withConnection(path: path) { _, reader in
                let count: @Sendable () async throws -> Int = {
                    try await reader.raw("SELECT count(*) AS c FROM t").first()?.decode(column: "c", as: Int.self) ?? -1
                }
                #expect(try await count() == 0)
                try await writer.raw("INSERT INTO t VALUES (1)").run()
                #expect(try await count() == 1)
            }
        }
    }

    @Test func aClosedConnectionRefusesStatementsWithoutHanging() async throws {
        let connection = try await SQLiteEngineConnection.open(path: ":memory:", threadName: "sqlite-test")
        let sql = connection.sql(logger: Self.logger, queryLogLevel: nil)
        await connection.close()
        let error = await #expect(throws: SQLiteEngineError.self) { try await sql.raw("SELECT 1").run() }
        #expect(error?.primaryCode == SQLiteResultCode.misuse)
        // Work still preferring the stopped thread carries on elsewhere.
        let elsewhere = await #expect(throws: SQLiteEngineError.self) {
            try await connection.withThread { try await sql.raw("SELECT 1").run() }
        }
        #expect(elsewhere?.primaryCode == SQLiteResultCode.misuse)
    }

    @Test func openingAnImpossiblePathFails() async throws {
        let error = await #expect(throws: SQLiteEngineError.self) {
            _ = try await SQLiteEngineConnection.open(path: "/nonexistent-dir/x/db.sqlite", threadName: "sqlite-test")
        }
        #expect(error?.message.contains("/nonexistent-dir/x/db.sqlite") == true)
    }
}
