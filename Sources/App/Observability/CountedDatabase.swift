import Logging
import Metrics
import NIOCore
import SQLKit

/// Counts every statement the store's queries send (`ecommerce_db_statements`), so the cost of a
/// route in queries can be watched in production and pinned down in tests (no query per order line).
struct CountedDatabase: SQLDatabase {
    static let statements = Counter(label: "ecommerce_db_statements")
    let base: any SQLDatabase

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        Self.statements.increment()
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        Self.statements.increment()
        try await base.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await base.withSession { try await closure(CountedDatabase(base: $0)) }
    }
}
