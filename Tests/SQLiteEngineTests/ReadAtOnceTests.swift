import Foundation
import NIOConcurrencyHelpers
import SQLKit
@testable import SQLiteEngine
import Testing
import TestSupport

/// A short read runs on its caller's thread (`SQLiteConnections.readAtOnce`).
@Suite struct ReadAtOnceTests {
    /// The threads a piece of work ran on, in turn.
    private final class Threads: Sendable {
        private let seen = NIOLockedValueBox<[pthread_t]>([])
        func note() { seen.withLockedValue { $0.append(pthread_self()) } }
        var all: [pthread_t] { seen.withLockedValue { $0 } }
    }

    private func withEngine(_ body: (SQLiteConnections) async throws -> Void) async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("db.sqlite").path
            try await withRunningEngine(at: path) { engine in
                try await engine.transaction { try await $0.raw("CREATE TABLE t (id INTEGER PRIMARY KEY)").run() }
                try await body(engine)
            }
        }
    }

    private func count(_ sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT count(*) AS c FROM t").first()?.decode(column: "c", as: Int.self) ?? -1
    }

    @Test func aShortReadRunsOnItsCallersThreadAndSeesWhatWasCommitted() async throws {
        try await withEngine { engine in
            try await engine.transaction { try await $0.raw("INSERT INTO t VALUES (1)").run() }
            let threads = Threads()
            let caller = pthread_self()
            let found = try await engine.readAtOnce { sql in
                threads.note()
                return try await count(sql)
            }
            #expect(found == 1)
            #expect(threads.all.count == 1)
            #expect(threads.all.allSatisfy { pthread_equal($0, caller) != 0 }, "the read hopped to another thread")
            // As many at once as there are connections for them, and more: each sees the row.
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<64 { group.addTask { try await engine.readAtOnce { try await count($0) } } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(counts == Array(repeating: 1, count: 64))
        }
    }
}
