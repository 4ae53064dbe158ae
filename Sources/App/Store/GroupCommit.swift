import NIOConcurrencyHelpers
import SQLiteDriver

/// Group commit for SQLite's one writer connection. Transactions that queue for the writer while
/// one runs join a single database transaction, each inside a savepoint of its own: a member that
/// fails is rolled back to its savepoint alone, and the others commit together, once. Committing
/// (and the WAL pages it writes) was most of an order's cost; a batch pays it once.
/// A member's result is returned only after its batch has committed, so no caller ever learns of
/// a change that could still be lost. The batch commits as soon as nobody is waiting, or when full.
final class GroupCommit: Sendable {
    private let connection: SQLiteDriverConnection
    private let maxMembers: Int
    private let lock = AsyncMutex()
    /// Callers on their way to the lock: queued on the connection's thread, which runs one
    /// transaction at a time, they are not yet waiting for the lock itself.
    private let arriving = NIOLockedValueBox(0)
    /// Changed only by the holder of `lock`.
    private let openBatch = NIOLockedValueBox<CommitBatch?>(nil)

    init(connection: SQLiteDriverConnection, maxMembers: Int = 16) {
        self.connection = connection
        self.maxMembers = maxMembers
    }

    /// Runs `work` in a transaction, as a member of the open batch or the first of a new one.
    func transaction<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        let (outcome, batch): (Result<T, any Error>, CommitBatch?) = try await withTurn {
            let batch: CommitBatch
            do {
                batch = try await joinOrBegin()
            } catch {
                return (.failure(error), nil)
            }
            let outcome = await runInSavepoint(work, of: batch)
            await endTurn(of: batch)
            return (outcome, batch)
        }
        let value = try outcome.get()
        try await batch?.committed()
        return value
    }

    /// Runs `work` alone on the connection, outside any transaction: the open batch commits first,
    /// so `work` reads only what is committed.
    func exclusive<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        try await withTurn {
            if let batch = openBatch.withLockedValue({ $0 }) { await commit(batch) }
            return try await work()
        }
    }

    /// Runs `body` on the connection's thread holding the lock; the whole turn runs there, and
    /// waits there for the lock, so it starts as the lock is handed over.
    private func withTurn<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        arriving.withLockedValue { $0 += 1 }
        return try await connection.withThread {
            try await lock.withLock {
                arriving.withLockedValue { $0 -= 1 }
                return try await body()
            }
        }
    }

    // MARK: - Holding the lock

    private func joinOrBegin() async throws -> CommitBatch {
        if let batch = openBatch.withLockedValue({ $0 }) { return batch }
        // IMMEDIATE takes the write lock up front: another process waits at BEGIN, never mid-transaction.
        try await control("BEGIN IMMEDIATE")
        let batch = CommitBatch()
        openBatch.withLockedValue { $0 = batch }
        return batch
    }

    private func runInSavepoint<T>(_ work: () async throws -> T, of batch: CommitBatch) async -> Result<T, any Error> {
        do {
            try await control("SAVEPOINT member")
        } catch {
            await abandon(batch, error)
            return .failure(error)
        }
        do {
            let value = try await work()
            try await control("RELEASE member")
            batch.members.withLockedValue { $0 += 1 }
            return .success(value)
        } catch {
            do {
                try await control("ROLLBACK TO member")
                try await control("RELEASE member")
            } catch {
                // Some failures (a full disk, an I/O error) end the whole transaction, members and all.
                await abandon(batch, error)
            }
            return .failure(error)
        }
    }

    /// Leaves the batch open for the next holder of the lock when one is coming and room remains;
    /// commits it otherwise. Whoever comes joins the batch or commits it, so it never stays open.
    private func endTurn(of batch: CommitBatch) async {
        guard openBatch.withLockedValue({ $0 === batch }) else { return }
        let someoneComing = lock.hasWaiters || arriving.withLockedValue { $0 } > 0
        if someoneComing && batch.members.withLockedValue({ $0 }) < maxMembers { return }
        await commit(batch)
    }

    private func commit(_ batch: CommitBatch) async {
        openBatch.withLockedValue { $0 = nil }
        do {
            try await control("COMMIT")
            batch.end(.success(()))
        } catch {
            try? await control("ROLLBACK")
            batch.end(.failure(error))
        }
    }

    private func abandon(_ batch: CommitBatch, _ error: any Error) async {
        openBatch.withLockedValue { $0 = nil }
        try? await control("ROLLBACK")
        batch.end(.failure(error))
    }

    /// A transaction control statement, run on the connection directly: SQLKit would only
    /// serialize the same text again, twice per member.
    private func control(_ statement: String) async throws {
        try await connection.run(statement, []) { _ in }
    }
}

/// One database transaction shared by several members, who wait for its end.
private final class CommitBatch: Sendable {
    private enum State {
        case open(waiting: [CheckedContinuation<Void, any Error>])
        case ended(Result<Void, any Error>)
    }

    private let state = NIOLockedValueBox(State.open(waiting: []))
    /// Members whose work succeeded, so far.
    let members = NIOLockedValueBox(0)

    /// Returns once the batch has committed; throws what ended it otherwise.
    func committed() async throws {
        try await withCheckedThrowingContinuation { continuation in
            let ended = state.withLockedValue { state -> Result<Void, any Error>? in
                switch state {
                case .open(var waiting):
                    waiting.append(continuation)
                    state = .open(waiting: waiting)
                    return nil
                case .ended(let result):
                    return result
                }
            }
            if let ended { continuation.resume(with: ended) }
        }
    }

    func end(_ result: Result<Void, any Error>) {
        let waiting = state.withLockedValue { state -> [CheckedContinuation<Void, any Error>] in
            guard case .open(let waiting) = state else { return [] }
            state = .ended(result)
            return waiting
        }
        for continuation in waiting {
            continuation.resume(with: result)
        }
    }
}
