#if MySQL
import Logging
import NIOCore
import SQLKit

/// A row's column names, shared by every row of one result.
public final class MariaDBColumns: Sendable {
    public let names: [String]
    private let indexes: [String: Int]

    init(names: [String]) {
        self.names = names
        // The first column of a name wins, as in a SELECT list read left to right.
        indexes = names.enumerated().reduce(into: [:]) { indexes, column in
            if indexes[column.element] == nil { indexes[column.element] = column.offset }
        }
    }

    func index(of name: String) -> Int? { indexes[name] }
}

/// One row of a result, readable through SQLKit's `SQLRow`.
public struct MariaDBRow: SQLRow, Sendable {
    public let columns: MariaDBColumns
    public let values: [MariaDBValue]

    public var allColumns: [String] { columns.names }

    public func contains(column: String) -> Bool { columns.index(of: column) != nil }

    public func value(_ column: String) throws -> MariaDBValue {
        guard let index = columns.index(of: column) else {
            throw DecodingError.valueNotFound(
                MariaDBValue.self, .init(codingPath: [], debugDescription: "no column '\(column)' in \(columns.names)")
            )
        }
        return values[index]
    }

    public func decodeNil(column: String) throws -> Bool { try value(column) == .null }

    public func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        try MariaDBValueDecoder(value: try value(column), column: column).decode(D.self)
    }
}

/// SQLKit's view of one connection: serializes a query with the MySQL dialect and runs it as a
/// prepared statement with its binds.
public struct MariaDBSQLDatabase: SQLDatabase {
    public let connection: MariaDBConnection
    public let logger: Logger
    /// The level statements are logged at (their SQL only, never the bound values); nil for none.
    public let queryLogLevel: Logger.Level?

    public var eventLoop: any EventLoop { connection.eventLoop }
    public var dialect: any SQLDialect { MariaDBDialect() }

    public func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, binds) = serialize(query)
        if let queryLogLevel { logger.log(level: queryLogLevel, "\(sql)") }
        let values = try binds.map { try MariaDBValue(binding: $0) }
        let result = try await connection.query(sql, values)
        for row in result.rows { onRow(row) }
    }

    public func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }
}

extension MariaDBConnection {
    /// The connection as an `SQLDatabase`.
    public func sql(logger: Logger, queryLogLevel: Logger.Level? = .debug) -> MariaDBSQLDatabase {
        MariaDBSQLDatabase(connection: self, logger: logger, queryLogLevel: queryLogLevel)
    }
}
#endif
