import Foundation
import PostgresKit
import PostgresNIO
import SQLKit

/// A row of a named statement as SQLKit sees it, decoding the column types the service reads most
/// (integers, text, times) straight from their cells, and any other type as PostgresKit's own row
/// does. That row (`PostgresRow.sql()`) sends every column through `PostgresDataTranslation`: a
/// conformance lookup, a coding path written out as text, and unspecialised decoding, which made
/// reading a 50-product page's rows three tenths of the page's time in the service.
struct DirectPostgresRow: SQLRow {
    private let row: PostgresRow
    /// The row's cells in column order. A column is found by comparing names from the last (where two
    /// share a name, the last is the one PostgresNIO's row gives): a row has a few columns with short
    /// names, and comparing those cost less than PostgresNIO's lookup, which hashes the name (and
    /// `contains` before a subscript hashed it twice).
    private let cells: [PostgresCell]

    init(_ row: PostgresRow) {
        self.row = row
        cells = Array(row)
    }

    var allColumns: [String] { cells.map(\.columnName) }

    func contains(column: String) -> Bool { cell(column) != nil }

    func decodeNil(column: String) throws -> Bool {
        cell(column)?.bytes == nil
    }

    func decode<T: Decodable>(column: String, as type: T.Type) throws -> T {
        if let cell = cell(column) {
            if T.self == String.self { return Self.cast(try cell.decode(String.self)) }
            if T.self == Int64.self { return Self.cast(try cell.decode(Int64.self)) }
            if T.self == Date.self { return Self.cast(try cell.decode(Date.self)) }
        }
        // Other types, and a missing column's error, as PostgresKit's row gives them.
        return try row.sql().decode(column: column, as: type)
    }

    private func cell(_ column: String) -> PostgresCell? {
        cells.last { $0.columnName == column }
    }

    /// `value` as `T`, which the caller made sure is `Value`. (`as? T` built `Optional<T>`'s metadata
    /// at every call.)
    private static func cast<Value, T>(_ value: Value) -> T {
        unsafeBitCast(value, to: T.self)
    }
}
