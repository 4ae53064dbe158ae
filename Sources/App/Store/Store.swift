import Foundation
import Logging
import ServiceLifecycle
import SQLKit

/// Where the services keep their data. One SQLKit implementation of every query (`StoreSession`)
/// serves each database; a `Store` only decides which connection a piece of work runs on.
/// A store is a service: it runs alongside the server and closes its connections on shutdown,
/// after the server (services stop in reverse order), so in-flight requests finish first.
public protocol Store: Service {
    /// Whether the database is embedded in this process (SQLite), where a migration waits for
    /// another process's for as long as that may take; false for a database server.
    var isEmbedded: Bool { get }

    /// The caller behind a live token (not expired at `now`, not revoked), asked by every
    /// authenticated request; nil for any other token. Exact once a change that ended tokens has
    /// committed, in this process or another: the store that remembers callers forgets them then.
    func caller(tokenHash: String, at now: Date) async throws -> Caller?

    /// A live product, read outside a transaction (`StoreSession.product(id:)`); nil when missing
    /// or deleted. A store may answer reads asked together with one query, never from memory.
    func product(id: Int64) async throws -> Product?

    /// Runs read-only work outside a transaction.
    func read<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T

    /// Runs short read-only work (a few rows by key) outside a transaction. SQLite's store runs it on
    /// the calling thread when it can, sparing the hops to a reader's thread and back; other stores
    /// run it as any read.
    func shortRead<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T

    /// Runs read-only work that may take long (a filtered list, a search) outside a transaction.
    /// PostgreSQL's store runs such reads on a few connections of their own, each waiting its turn
    /// in order, so that they cannot take the database's CPU from point reads and orders, and a busy
    /// moment stretches every such read's wait alike rather than a few reads' a lot; other stores
    /// run them as any read.
    func longRead<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T

    /// Runs work in one transaction: committed when `work` returns, rolled back when it throws.
    /// `work` may run more than once when the database asks for a retry (serialization failure, deadlock).
    func transaction<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T

    /// Places each order atomically, on its own, with its stock moves: for each, in their order, the
    /// order placed or why it was refused (`PlacementRefusal`). Orders that share a product are
    /// decided in the order given. Throws when the database fails, and then an order's outcome may
    /// be unknown to the caller — but never is an order placed twice.
    func placeOrders(_ orders: [OrderToPlace], at time: Date) async throws -> [PlacementOutcome]
}

extension Store {
    public func longRead<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        try await read(work)
    }

    public func shortRead<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        try await read(work)
    }

    public func product(id: Int64) async throws -> Product? {
        try await shortRead { try await $0.product(id: id) }
    }

    /// The statement-by-statement placement (`StoreSession.placeOrder`): each order in a
    /// transaction of its own, one after another.
    func placeOrdersOneByOne(_ orders: [OrderToPlace], at time: Date) async throws -> [PlacementOutcome] {
        var outcomes: [PlacementOutcome] = []
        for order in orders {
            outcomes.append(try await outcome { try await $0.placeOrder(order, at: time) })
        }
        return outcomes
    }

    /// Runs a placement in a transaction of its own: the order placed, or the refusal its rules threw
    /// (which rolled the transaction back).
    func outcome(placing work: @escaping @Sendable (StoreSession) async throws -> Order) async throws -> PlacementOutcome {
        do {
            return .success(try await transaction(work))
        } catch let refusal as PlacementRefusal {
            return .failure(refusal)
        }
    }
}

/// One connection's view of the store: every query of the service, written once in SQLKit.
public struct StoreSession: Sendable {
    let sql: any SQLDatabase
    /// Named locks taken in the transaction that outlive it (MySQL only); nil where locks end with it.
    let sessionLocks: SessionLocks?
    /// Where the transaction notes that it ended tokens, for a store that remembers callers; nil otherwise.
    let tokenEndings: TokenEndings?

    init(sql: any SQLDatabase, sessionLocks: SessionLocks? = nil, tokenEndings: TokenEndings? = nil) {
        self.sql = CountedDatabase(base: sql)
        self.sessionLocks = sessionLocks
        self.tokenEndings = tokenEndings
    }
}

extension DatabaseLocation {
    /// Opens the store, runs `body` while the store's service runs, then shuts the store down.
    /// For commands that use the database without serving (`migrate`).
    func withStore<T: Sendable>(logger: Logger, _ body: @Sendable (any Store) async throws -> T) async throws -> T {
        let store = try await openStore(logger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await store.run() }
            defer { group.cancelAll() }
            return try await body(store)
        }
    }
}
