@testable import App
import Foundation
import SQLKit
import SQLiteDriver
import Testing

@Suite struct SQLiteStoreTests {
    private func pageSize(of store: SQLiteStore) async throws -> Int {
        try await store.read { session in
            try await session.sql.raw("PRAGMA page_size").first().required().decode(column: "page_size", as: Int.self)
        }
    }

    /// Small pages keep what an order writes small (see `newDatabasePageSize`); a database made
    /// before keeps its pages, since changing them means rewriting the whole file.
    @Test func aNewDatabaseGetsSmallPagesAndAnExistingOneKeepsItsOwn() async throws {
        try await withTemporaryFolder { folder in
            try await withRunningSQLiteStore(at: folder.appendingPathComponent("new.sqlite").path) { store in
                try await store.transaction { try await $0.sql.raw("CREATE TABLE t (id INTEGER PRIMARY KEY)").run() }
                #expect(try await pageSize(of: store) == SQLiteStore.newDatabasePageSize)
            }

            let oldPath = folder.appendingPathComponent("old.sqlite").path
            let made = try await SQLiteDriverConnection.open(path: oldPath, threadName: "sqlite-test")
            for statement in ["PRAGMA page_size = 4096", "CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (7)"] {
                try await made.run(statement, []) { _ in }
            }
            await made.close()
            try await withRunningSQLiteStore(at: oldPath) { store in
                #expect(try await pageSize(of: store) == 4096)
                let ids = try await store.read { try await $0.sql.raw("SELECT id FROM t").all().map { try $0.int("id") } }
                #expect(ids == [7])
            }
        }
    }
}
