@testable import App
import Foundation
import Logging
import PostgresNIO
import Testing

/// What decides whether a query runs as a prepared statement, and under which number. (The whole suite
/// runs through prepared statements on PostgreSQL; these pin the rules that keep them apart.)
@Suite struct PreparedPostgresDatabaseTests {
    @Test func aNilOptionalIsANullOfItsWrappedType() throws {
        let some: Int64? = 7
        let none: Int64? = nil
        let noText: String? = nil
        let (_, types) = try #require(PreparedPostgresDatabase.bindings([some, none, noText, Date(), [Int64(1)], true]))
        #expect(types == [.int8, .int8, .text, .timestamptz, .int8Array, .bool])
    }

    @Test func bindsOfOtherTypesAreLeftToTheUnnamedPath() {
        #expect(PreparedPostgresDatabase.bindings([Int64(1), 1.5]) == nil)
        #expect(PreparedPostgresDatabase.bindings([Double?.none]) == nil)
    }

    @Test func aStatementIsNumberedByItsTextAndItsParameterTypes() throws {
        let names = StatementNames()
        let select = "SELECT id FROM products WHERE id = $1"
        let first = try #require(names.number(for: select, types: [.int8]))
        #expect(names.number(for: select, types: [.int8]) == first)
        #expect(names.number(for: select, types: [.text]) != first)
        #expect(names.number(for: "SELECT name FROM products WHERE id = $1", types: [.int8]) != first)
    }

    @Test func onlyQueriesAndChangesOfRowsAreNumbered() {
        let names = StatementNames()
        for sql in ["SELECT 1", "INSERT INTO t VALUES ($1)", "UPDATE t SET a = 1", "DELETE FROM t", "WITH a AS (SELECT 1) SELECT * FROM a"] {
            #expect(names.number(for: sql, types: []) != nil, "\(sql)")
        }
        for sql in ["BEGIN", "COMMIT", "CREATE TABLE t (a int)", "SET plan_cache_mode = auto"] {
            #expect(names.number(for: sql, types: []) == nil, "\(sql)")
        }
    }

    @Test func noMoreThanTheCapacityOfStatementsIsNumbered() {
        let names = StatementNames()
        for count in 1...StatementNames.capacity {
            #expect(names.number(for: "SELECT \(count)", types: []) != nil)
        }
        #expect(names.number(for: "SELECT 0", types: []) == nil)
        #expect(names.number(for: "SELECT 1", types: []) != nil, "a numbered statement keeps its number")
    }

    @Test func everyNumberHasAType() {
        #expect(StatementNames.capacity <= NumberedStatements.count)
    }
}

extension PreparedPostgresDatabaseTests {
    /// A statement that failed to prepare (its table did not exist yet) runs once it can: the
    /// connection that remembered the failure is replaced.
    @Test(.enabled(if: TestDatabase.isPostgres, "runs on PostgreSQL only: set DATABASE_URL=postgres://… (CI does)"))
    func aStatementThatCouldNotBePreparedRunsOnceItCan() async throws {
        try await withTestDatabase { database in
            guard case .postgres(var settings) = try DatabaseLocation(url: database.url) else { return }
            settings.poolSize = 1 // the same connection every time, unless it is replaced
            let store = PostgresStore(settings: settings, logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                let count: @Sendable (StoreSession) async throws -> Int? = {
                    try await $0.sql.raw("SELECT count(*) AS n FROM arrives_later").first()?.decode(column: "n", as: Int.self)
                }
                let missing = await #expect(throws: PSQLError.self) { try await store.read(count) }
                #expect(missing?.serverInfo?[.sqlState] == "42P01", "not undefined_table: \(String(reflecting: missing))")
                try await store.transaction { try await $0.sql.raw("CREATE TABLE arrives_later (id bigint)").run() }
                #expect(try await store.read(count) == 0)
            }
        }
    }

    /// Each number runs its own text, on one connection and on several: a number whose type were
    /// another's would run that other's text, prepared under the same name.
    @Test(.enabled(if: TestDatabase.isPostgres, "runs on PostgreSQL only: set DATABASE_URL=postgres://… (CI does)"))
    func eachNumberRunsItsOwnStatement() async throws {
        try await withTestDatabase { database in
            guard case .postgres(var settings) = try DatabaseLocation(url: database.url) else { return }
            settings.poolSize = 2
            let store = PostgresStore(settings: settings, logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                for round in 0..<2 {
                    for offset in 0..<80 {
                        let sum = try await store.read { session in
                            try await session.sql.raw("SELECT \(bind: Int64(round)) + \(unsafeRaw: String(offset)) AS sum").first()?
                                .decode(column: "sum", as: Int64.self)
                        }
                        #expect(sum == Int64(round + offset))
                    }
                }
            }
        }
    }
}

extension PreparedPostgresDatabaseTests {
    /// A named statement's row reads each type as PostgresKit's own row would: the types read straight
    /// from their cells (an enum's text too), the others (an array, an optional) through PostgresKit.
    @Test(.enabled(if: TestDatabase.isPostgres, "runs on PostgreSQL only: set DATABASE_URL=postgres://… (CI does)"))
    func aRowReadsEveryTypeAsPostgresKitsRowDoes() async throws {
        try await withTestDatabase { database in
            guard case .postgres(let settings) = try DatabaseLocation(url: database.url) else { return }
            let store = PostgresStore(settings: settings, logger: Logger(label: "test"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                try await store.transaction { try await $0.sql.raw("CREATE TYPE mood AS ENUM ('calm', 'glad')").run() }
                let time = Date(timeIntervalSince1970: 1_764_547_200.25)
                let row = try await store.read { session in
                    try await session.sql.raw("""
                        SELECT \(bind: Int64.max) AS big, \(bind: "Lamp ☀") AS name, \(bind: time) AS at,
                        NULL::text AS nothing, \(bind: [Int64(3), 4]) AS ids, 'glad'::mood AS mood, 7::int4 AS small,
                        1::int8 AS twice, 2::int8 AS twice
                        """).first()
                }
                let read = try #require(row)
                #expect(read is DirectPostgresRow)
                #expect(try read.int("big") == .max)
                #expect(try read.string("name") == "Lamp ☀")
                #expect(try read.date("at") == time)
                #expect(try read.optionalString("nothing") == nil)
                #expect(try read.decode(column: "nothing", as: Int64?.self) == nil)
                #expect(try read.decode(column: "big", as: Int64?.self) == .max)
                #expect(try read.decode(column: "ids", as: [Int64].self) == [3, 4])
                #expect(try read.string("mood") == "glad")
                #expect(try read.decode(column: "small", as: Int.self) == 7)
                #expect(throws: (any Error).self) { try read.string("nothing") }
                #expect(throws: (any Error).self) { try read.int("absent") }
                #expect(try read.decodeNil(column: "absent"))
                #expect(try read.int("twice") == 2, "the last of two columns sharing a name, as PostgresNIO's row reads it")
                #expect(read.allColumns == ["big", "name", "at", "nothing", "ids", "mood", "small", "twice", "twice"])
            }
        }
    }
}
