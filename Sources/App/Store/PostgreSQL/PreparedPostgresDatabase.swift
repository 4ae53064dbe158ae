import Foundation
import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import Synchronization

/// SQLKit's view of one PostgreSQL connection that runs each query as a named prepared statement,
/// prepared once per connection: sent unnamed (as PostgresKit sends them), PostgreSQL parses and
/// plans every statement again, which cost about as much as running it (the order's statement:
/// 0.6 ms planning, 0.8 ms running). Queries the names cannot cover run unnamed through PostgresKit:
/// binds of other types than those below, statements other than SELECT, INSERT, UPDATE, DELETE and
/// WITH, and any text once `StatementNames.capacity` texts have numbers.
///
/// Named statements run through postgres-nio's `PostgresPreparedStatement`, as the type that
/// `NumberedStatement` makes for each number `StatementNames` gives out.
struct PreparedPostgresDatabase: SQLDatabase {
    let connection: PostgresConnection
    let unnamed: any SQLDatabase

    init(connection: PostgresConnection) {
        self.connection = connection
        self.unnamed = connection.sql(queryLogLevel: nil)
    }

    var logger: Logger { connection.logger }
    var eventLoop: any EventLoop { connection.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { nil }
    var dialect: any SQLDialect { unnamed.dialect }
    // Query logging stays off: bound values include password hashes.
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, binds) = serialize(query)
        guard let (bindings, types) = Self.bindings(binds),
              let number = StatementNames.shared.number(for: sql, types: types)
        else {
            return try await unnamed.execute(sql: query, onRow)
        }
        do {
            let rows = try await NumberedStatements.execute(number, bindings: bindings, on: connection, logger: logger)
            for try await row in rows { onRow(DirectPostgresRow(row)) }
        } catch let error as PSQLError where Self.outlivesItsCause(error) {
            // postgres-nio keeps a failed preparation for the connection's life, and PostgreSQL a
            // prepared statement's result columns: the statement would keep failing on this connection
            // even once its table exists again. A new connection prepares it afresh.
            try? await connection.close()
            throw error
        }
    }

    /// Errors of a statement that cannot be prepared as it stands (an unknown table or column, a
    /// transaction already failed, a table whose columns changed under a prepared statement).
    static func outlivesItsCause(_ error: PSQLError) -> Bool {
        guard error.code == .server, let state = error.serverInfo?[.sqlState] else { return false }
        return state.hasPrefix("42") || state == "25P02" || state == "0A000"
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    /// The binds in PostgreSQL's binary format and their types, for the types the service binds;
    /// nil when one is of another type. A nil optional is a null of its wrapped type, so that a
    /// statement keeps its parameter types whichever values come first.
    static func bindings(_ binds: [any Encodable & Sendable]) -> (PostgresBindings, [PostgresDataType])? {
        var bindings = PostgresBindings(capacity: binds.count)
        var types: [PostgresDataType] = []
        types.reserveCapacity(binds.count)
        func append<Value: PostgresNonThrowingEncodable>(_ value: Value) {
            bindings.append(value)
            types.append(Value.psqlType)
        }
        for bind in binds {
            switch bind {
            case let value as Int64: append(value)
            case let value as Int: append(Int64(value))
            case let value as String: append(value)
            case let value as Date: append(value)
            case let value as Bool: append(value)
            case let value as [Int64]: append(value)
            case let value as [String]: append(value)
            case let value as [Bool]: append(value)
            default:
                guard let nullType = nullType(of: bind) else { return nil }
                bindings.append(PostgresData(type: nullType))
                types.append(nullType)
            }
        }
        return (bindings, types)
    }

    /// The PostgreSQL type of a nil optional of the types above.
    private static func nullType(of bind: any Encodable & Sendable) -> PostgresDataType? {
        switch ObjectIdentifier(type(of: bind)) {
        case ObjectIdentifier(Int64?.self), ObjectIdentifier(Int?.self): Int64.psqlType
        case ObjectIdentifier(String?.self): String.psqlType
        case ObjectIdentifier(Date?.self): Date.psqlType
        case ObjectIdentifier(Bool?.self): Bool.psqlType
        default: nil
        }
    }
}

/// The numbers of prepared statements, one per statement text and parameter types. A number stands
/// for a type (`NumberedStatement`), and a type's text cannot differ from one store to another, so
/// the numbers are the whole process's (`shared`), given once and never changed. At most `capacity`
/// statements get a number, so that those whose text varies with their input (a list of ids, rows
/// inserted at once) cannot fill the server's memory.
final class StatementNames: Sendable {
    static let capacity = 500
    static let shared = StatementNames()
    private static let preparable = ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"]
    struct Statement: Hashable {
        var sql: String
        var types: [PostgresDataType]
    }
    private struct Numbered {
        var numbers: [Statement: Int] = [:]
        /// By number: the statement and its name on the server.
        var statements: [(statement: Statement, name: String)] = []
    }
    private let numbered = Mutex(Numbered())

    /// The statement's number, given it if new; nil if it cannot be prepared or no number is left.
    func number(for sql: String, types: [PostgresDataType]) -> Int? {
        guard Self.preparable.contains(where: { sql.utf8.starts(with: $0.utf8) }) else { return nil }
        let statement = Statement(sql: sql, types: types)
        return numbered.withLock { numbered in
            if let number = numbered.numbers[statement] { return number }
            guard numbered.statements.count < Self.capacity else { return nil }
            let number = numbered.statements.count
            numbered.numbers[statement] = number
            numbered.statements.append((statement, "ecommerce_\(number + 1)"))
            return number
        }
    }

    /// The statement numbered `number`, which `number(for:types:)` gave out.
    func statement(_ number: Int) -> (statement: Statement, name: String) {
        numbered.withLock { $0.statements[number] }
    }
}
