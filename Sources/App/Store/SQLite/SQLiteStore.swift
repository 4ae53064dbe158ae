import Foundation
import Logging
import SQLKit
import SQLiteEngine
import ServiceLifecycle

/// The store on SQLite, through the SQLite engine (`SQLiteConnections`: one writer with group
/// commit, readers beside it, a checkpointer): this adds the domain's view of its errors and the
/// callers of tokens, remembered as no other server changes the database (`CallerCache`), with the
/// signal that tells other processes of ended tokens.
public final class SQLiteStore: Store {
    public let isEmbedded = true
    private let callers: CallerCache
    private let engine: SQLiteConnections

    public typealias Checkpointing = SQLiteConnections.Checkpointing

    /// In memory for a nil `path`.
    public static func open(
        path: String?, readerCount: Int = 4, checkpointing: Checkpointing = .standard, logger: Logger
    ) async throws -> SQLiteStore {
        let engine = try await SQLiteConnections.open(
            path: path, readerCount: readerCount, checkpointing: checkpointing,
            lockWaitLimit: Migrator.lockWaitLimit, logger: logger
        )
        do {
            return SQLiteStore(engine: engine, tokenChanges: try path.map { try TokenChangeSignal(databasePath: $0) })
        } catch {
            await engine.close()
            throw error
        }
    }

    private init(engine: SQLiteConnections, tokenChanges: TokenChangeSignal?) {
        self.engine = engine
        callers = CallerCache(changes: tokenChanges)
    }

    public func caller(tokenHash: String, at now: Date) async throws -> Caller? {
        try await callers.caller(tokenHash: tokenHash, at: now) {
            try await read { try await $0.callers(tokenHashes: [tokenHash], at: now)[tokenHash] }
        }
    }

    public func shortRead<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        try await engine.readAtOnce { sql in
            try await Self.translatingErrors { try await work(StoreSession(sql: sql)) }
        }
    }

    public func read<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        try await engine.read { sql in
            try await Self.translatingErrors { try await work(StoreSession(sql: sql)) }
        }
    }

    /// Callers are forgotten, here and in other processes, once a transaction that ended tokens has
    /// committed: not before (a request could remember what is about to end), not when it rolled back.
    public func transaction<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        let tokenEndings = TokenEndings()
        let result = try await Self.translatingErrors {
            try await engine.transaction { sql in try await work(StoreSession(sql: sql, tokenEndings: tokenEndings)) }
        }
        if tokenEndings.anyNoted { callers.forgetAll() }
        return result
    }

    /// Checkpoints until shutdown (or cancellation), then closes the connections.
    public func run() async throws {
        if engine.checkpointsWAL {
            await cancelWhenGracefulShutdown { await self.engine.checkpointUntilCancelled() }
        } else {
            try? await gracefulShutdown()
        }
        await engine.close()
    }

    /// SQLite's errors in domain terms: uniqueness → 409 naming the field, a row still referenced → 409,
    /// a lock held past the busy timeout → 503.
    private static func translatingErrors<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as SQLiteEngineError {
            switch (error.primaryCode, error.code) {
            case (_, SQLiteResultCode.constraintUnique), (_, SQLiteResultCode.constraintPrimaryKey):
                throw UniqueConstraints.conflict(describedBy: error.message)
            case (_, SQLiteResultCode.constraintForeignKey):
                throw AppError.conflict("The record is still referenced by others.")
            case (SQLiteResultCode.busy, _), (SQLiteResultCode.locked, _):
                throw AppError.unavailable("The database is busy; please retry.")
            default:
                throw error
            }
        }
    }
}
