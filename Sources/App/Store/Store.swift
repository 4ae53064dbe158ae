import SQLKit

/// Where the services keep their data. One SQLKit implementation of every query (`StoreSession`)
/// serves each database; a `Store` only decides which connection a piece of work runs on.
public protocol Store: Sendable {
    /// Runs read-only work outside a transaction.
    func read<T: Sendable>(_ work: @Sendable (StoreSession) async throws -> T) async throws -> T

    /// Runs work in one transaction: committed when `work` returns, rolled back when it throws.
    func transaction<T: Sendable>(_ work: @Sendable (StoreSession) async throws -> T) async throws -> T

    /// Closes every connection; called once, at shutdown.
    func close() async throws
}

/// One connection's view of the store: every query of the service, written once in SQLKit.
public struct StoreSession: Sendable {
    let sql: any SQLDatabase
}
