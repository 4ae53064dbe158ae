import CSQLite
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLiteKit

/// A result's column names, shared by its rows.
final class SQLiteEngineColumns: Sendable {
    let names: [String]
    private let indexes: [String: Int]

    init(of statement: OpaquePointer) {
        let count = sqlite_nio_sqlite3_column_count(statement)
        names = (0..<count).map { column in
            sqlite_nio_sqlite3_column_name(statement, column).map { String(cString: $0) } ?? ""
        }
        // The first column of a name wins, as in a SELECT list read left to right.
        indexes = names.enumerated().reduce(into: [:]) { indexes, column in
            if indexes[column.element] == nil { indexes[column.element] = column.offset }
        }
    }

    func index(of name: String) -> Int? { indexes[name] }
}

/// One row of a result, readable through SQLKit's `SQLRow` with SQLiteKit's decoder.
struct SQLiteEngineRow: SQLRow, Sendable {
    let columns: SQLiteEngineColumns
    let values: [SQLiteData]

    private static let decoder = SQLiteDataDecoder()

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.index(of: column) != nil }

    func value(_ column: String) throws -> SQLiteData {
        guard let index = columns.index(of: column) else {
            throw DecodingError.valueNotFound(
                SQLiteData.self, .init(codingPath: [], debugDescription: "no column '\(column)' in \(columns.names)")
            )
        }
        return values[index]
    }

    func decodeNil(column: String) throws -> Bool { try value(column) == .null }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        try Self.decode(D.self, from: try value(column))
    }

    /// A value as SQLiteKit's decoder reads it. The types the service reads most are converted
    /// directly, sparing the decoder's cast to a protocol at every value; anything they cannot
    /// convert goes to the decoder, errors included.
    static func decode<D: Decodable>(_ type: D.Type, from data: SQLiteData) throws -> D {
        if D.self == Int64.self, let value = Int64(sqliteData: data) { return cast(value) }
        if D.self == String.self, let value = String(sqliteData: data) { return cast(value) }
        if D.self == Date.self, let value = Date(sqliteData: data) { return cast(value) }
        if D.self == Int.self, let value = Int(sqliteData: data) { return cast(value) }
        return try decoder.decode(D.self, from: data)
    }

    /// `value` as `D`, which the caller made sure is `Value`. (`as? D` built `Optional<D>`'s metadata
    /// at every value, a third of reading a row.)
    private static func cast<Value, D>(_ value: Value) -> D {
        unsafeBitCast(value, to: D.self)
    }
}

/// SQLKit's view of one connection: serializes a query with SQLiteKit's dialect and encoder and
/// runs it as a cached prepared statement.
struct SQLiteEngineDatabase: SQLDatabase {
    let connection: SQLiteEngineConnection
    let logger: Logger
    /// The level statements are logged at (their SQL only, never the bound values); nil for none.
    let queryLogLevel: Logger.Level?
    let eventLoop: any EventLoop

    private static let encoder = SQLiteDataEncoder()

    var dialect: any SQLDialect { SQLiteDialect() }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) async throws {
        let (sql, binds) = serialize(query)
        if let queryLogLevel { logger.log(level: queryLogLevel, "\(sql)") }
        let values = try binds.map(Self.encode)
        try await connection.run(sql, values) { onRow($0) }
    }

    /// A bind as SQLiteKit's encoder makes it. The types the service binds most are converted
    /// directly: the encoder's cast to a protocol looked the conformance up at every value, a large
    /// part of building a statement.
    static func encode(_ bind: any Encodable & Sendable) throws -> SQLiteData {
        let direct: SQLiteData? = switch bind {
        case let value as Int64: value.sqliteData
        case let value as Int: value.sqliteData
        case let value as String: value.sqliteData
        case let value as Date: value.sqliteData
        default: nil
        }
        return try direct ?? encoder.encode(bind)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> ()) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }
}

extension SQLiteEngineConnection {
    /// The connection as an `SQLDatabase`.
    func sql(logger: Logger, queryLogLevel: Logger.Level? = .debug) -> SQLiteEngineDatabase {
        SQLiteEngineDatabase(connection: self, logger: logger, queryLogLevel: queryLogLevel,
                             eventLoop: MultiThreadedEventLoopGroup.singleton.any())
    }
}
