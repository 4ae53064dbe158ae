import Foundation
import Logging
import PostgresKit
import PostgresNIO
import ServiceLifecycle

/// PostgreSQL through postgres-nio's `PostgresClient`, whose connection pool runs as this service.
/// Stateless: several instances of the application may share one database.
final class PostgresStore: Store {
    /// Transactions the database aborted to keep them serializable are run again, this many times in all.
    private static let attempts = 5
    let isEmbedded = false
    private let client: PostgresClient
    /// Long reads' own few connections (`longRead`). A search costs PostgreSQL milliseconds of CPU:
    /// with twenty at once on two cores, each waited for whichever the scheduler ran first (p99 70–220
    /// ms on 1,000,000 products); waiting in this pool's queue instead, in order, 20–42 ms.
    private let longReadClient: PostgresClient
    private let callers: SharedCallerLookups
    private let productReads: SharedProductReads
    private let logger: Logger
    /// Orders placed together by one statement; nil to place them statement by statement.
    private let placedTogether: OrdersPlacedTogether?

    init(settings: PostgresSettings, logger: Logger, placesOrdersTogether: Bool = true) {
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.username, password: settings.password,
            database: settings.database, tls: Self.tls(settings.tls)
        )
        configuration.options.maximumConnections = settings.poolSize
        // The pool's connections stay open, unpinged: a connection parked after a query would
        // otherwise start an idle timeout and a keep-alive timer (two tasks sleeping, cancelled at
        // its next lease) for every request.
        configuration.options.minimumConnections = settings.poolSize
        configuration.options.keepAliveBehavior = nil
        configuration.options.connectTimeout = settings.connectTimeout
        // Every statement is prepared once per connection (`PreparedPostgresDatabase`) and should be
        // planned once: PostgreSQL would otherwise plan the order's statement at every run, judging its
        // generic plan (for any number of lines) dearer than one for the lines at hand. 1.3× the orders.
        configuration.options.additionalStartupParameters = [("plan_cache_mode", "force_generic_plan")]
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        configuration.options.maximumConnections = settings.longReadPoolSize
        configuration.options.minimumConnections = settings.longReadPoolSize
        longReadClient = PostgresClient(configuration: configuration, backgroundLogger: logger)
        callers = SharedCallerLookups { hashes, now in
            try await Self.read(on: client) { try await $0.callers(tokenHashes: hashes, at: now) }
        }
        productReads = SharedProductReads { ids in
            try await Self.read(on: client) { try await $0.products(ids: ids) }
        }
        self.logger = logger
        placedTogether = placesOrdersTogether ? OrdersPlacedTogether { orders, time in
            try await Self.retryingSerializationFailures(client) { sql in
                try await StoreSession(sql: sql).placeOrdersInOneStatement(orders, at: time)
            }
        } : nil
    }

    private static func tls(_ mode: PostgresSettings.TLSMode) -> PostgresClient.Configuration.TLS {
        switch mode {
        case .disable: .disable
        case .prefer: .prefer(.makeClientConfiguration())
        case .require: .require(.makeClientConfiguration())
        }
    }

    func run() async throws {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.client.run() }
            group.addTask { await self.longReadClient.run() }
        }
    }

    func caller(tokenHash: String, at now: Date) async throws -> Caller? {
        try await callers.caller(tokenHash: tokenHash, at: now)
    }

    func product(id: Int64) async throws -> Product? {
        try await productReads.product(id: id)
    }

    func read<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        try await Self.read(on: client, work)
    }

    func longRead<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        try await Self.read(on: longReadClient, work)
    }

    private static func read<T: Sendable>(
        on client: PostgresClient, _ work: @escaping @Sendable (StoreSession) async throws -> T
    ) async throws -> T {
        try await translatingErrors {
            try await client.withConnection { try await work(StoreSession(sql: sql($0))) }
        }
    }

    private static func sql(_ connection: PostgresConnection) -> any SQLDatabase {
        PreparedPostgresDatabase(connection: connection)
    }

    func transaction<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        try await Self.retryingSerializationFailures(client) { sql in
            try await sql.raw("BEGIN").run()
            do {
                let result = try await work(StoreSession(sql: sql))
                try await sql.raw("COMMIT").run()
                return result
            } catch {
                try? await sql.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    func placeOrders(_ orders: [OrderToPlace], at time: Date) async throws -> [PlacementOutcome] {
        guard let placedTogether else { return try await placeOrdersOneByOne(orders, at: time) }
        return try await placedTogether.placeOrders(orders, at: time, in: self)
    }

    /// Runs `work` on a connection, again when PostgreSQL aborted it to keep transactions serializable
    /// or to break a deadlock.
    private static func retryingSerializationFailures<T: Sendable>(
        _ client: PostgresClient, _ work: @escaping @Sendable (any SQLDatabase) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await Self.translatingErrors {
                    try await client.withConnection { try await work(sql($0)) }
                }
            } catch RetryableError.serializationFailure where attempt < Self.attempts {
                attempt += 1
                try await Task.sleep(for: .milliseconds(Int.random(in: 1...10 * attempt)))
            } catch RetryableError.serializationFailure {
                throw AppError.unavailable("The database is busy; please retry.")
            }
        }
    }

    private enum RetryableError: Error {
        case serializationFailure
    }

    /// Failures to reach the database at all, answered 503 so clients and load balancers retry.
    private static let connectionFailures: Set<PSQLError.Code> = [
        .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
    ]

    /// PostgreSQL's errors in domain terms, by SQLSTATE: uniqueness → 409 naming the field, a row
    /// still referenced → 409, serialization failure or deadlock → retried; an unreachable server → 503.
    private static func translatingErrors<T>(_ work: () async throws -> T) async throws -> T {
        do {
            return try await work()
        } catch let error as PSQLError where connectionFailures.contains(error.code) {
            throw AppError.unavailable("The database is unavailable; please retry.")
        } catch let error as PSQLError where error.code == .server {
            switch error.serverInfo?[.sqlState] {
            case "23505":
                throw UniqueConstraints.conflict(describedBy: error.serverInfo?[.constraintName] ?? "")
            case "23503":
                throw AppError.conflict("The record is still referenced by others.")
            case "40001", "40P01":
                throw RetryableError.serializationFailure
            default:
                throw error
            }
        }
    }
}
