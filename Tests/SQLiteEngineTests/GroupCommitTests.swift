import Foundation
import SQLKit
@testable import SQLiteEngine
import Testing
import TestSupport

/// The writer commits queued transactions together (`GroupCommit`); these pin that a caller
/// hears of success only once its change is committed, and that members fail alone.
@Suite struct GroupCommitTests {
    private struct Refused: Error {}

    /// Runs `body` with a database in a file of its own, so reads go to other connections.
    private func withStore(_ body: (SQLiteConnections) async throws -> Void) async throws {
        try await withTemporaryFolder { folder in
            try await withRunningEngine(at: folder.appendingPathComponent("db.sqlite").path) { store in
                try await store.transaction { try await $0.raw("CREATE TABLE t (id INTEGER PRIMARY KEY)").run() }
                try await body(store)
            }
        }
    }

    private func isStored(_ id: Int, in store: SQLiteConnections) async throws -> Bool {
        try await store.read { try await $0.raw("SELECT id FROM t WHERE id = \(bind: id)").first() != nil }
    }

    /// Runs transactions 1...100 at once, each inserting its id, waiting a little (so the others queue
    /// and batches form) and then doing `finish`; returns how each failed (nil if it succeeded) and
    /// whether its row was there when it returned, read at once on another connection (only a
    /// committed row is).
    private func placeConcurrently(
        in store: SQLiteConnections, finish: @escaping @Sendable (Int, any SQLDatabase) async throws -> Void
    ) async -> [(id: Int, failure: (any Error)?, stored: Bool)] {
        await withTaskGroup(of: (id: Int, failure: (any Error)?, stored: Bool).self) { group in
            for id in 1...100 {
                group.addTask {
                    do {
                        try await store.transaction { session in
                            try await session.raw("INSERT INTO t (id) VALUES (\(bind: id))").run()
                            try await Task.sleep(for: .milliseconds(2))
                            try await finish(id, session)
                        }
                        return (id, nil, (try? await isStored(id, in: store)) ?? false)
                    } catch {
                        return (id, error, (try? await isStored(id, in: store)) ?? true)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
    }

    @Test func aSuccessIsCommittedBeforeItIsReturnedAndAFailureLeavesNothing() async throws {
        try await withStore { store in
            let outcomes = await placeConcurrently(in: store) { id, _ in
                if id % 7 == 0 { throw Refused() }
            }
            for (id, failure, stored) in outcomes {
                if id % 7 == 0 {
                    #expect(failure is Refused, "transaction \(id): \(String(describing: failure))")
                } else {
                    #expect(failure == nil, "transaction \(id): \(String(describing: failure))")
                }
                #expect(stored == (failure == nil), "transaction \(id): stored \(stored)")
            }
        }
    }

    /// Once the store has shut down, a transaction fails at once instead of waiting for a writer that
    /// is gone.
    @Test func aShutDownStoreRefusesTransactionsWithoutHanging() async throws {
        var shutDown: SQLiteConnections?
        try await withStore { shutDown = $0 }
        let store = try #require(shutDown)
        let refusal = await #expect(throws: SQLiteEngineError.self) {
            try await answer(of: "a transaction on a shut-down store") {
                try await store.transaction { try await $0.raw("INSERT INTO t (id) VALUES (1)").run() }
            }
        }
        #expect(refusal?.code == SQLiteEngineError.closed.code && refusal?.message == SQLiteEngineError.closed.message)
    }

    /// A member that ends the shared transaction itself (as a full disk would) fails the batch it was
    /// in: nobody in it hears of a success that was not committed.
    @Test func aMemberThatEndsTheTransactionFailsItsBatchNotLaterOnes() async throws {
        try await withStore { store in
            let outcomes = await placeConcurrently(in: store) { id, session in
                if id % 25 == 0 { try await session.raw("ROLLBACK").run() }
            }
            for (id, failure, stored) in outcomes {
                #expect(stored == (failure == nil), "transaction \(id): \(String(describing: failure)), stored \(stored)")
                if id % 25 == 0 { #expect(failure is SQLiteEngineError, "transaction \(id): \(String(describing: failure))") }
            }
            // The writer is usable afterwards.
            try await store.transaction { try await $0.raw("INSERT INTO t (id) VALUES (1000)").run() }
            #expect(try await isStored(1000, in: store))
        }
    }
}
