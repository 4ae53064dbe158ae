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
    private let cells: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row
        cells = row.makeRandomAccess()
    }

    var allColumns: [String] { cells.map(\.columnName) }

    func contains(column: String) -> Bool { cells.contains(column) }

    func decodeNil(column: String) throws -> Bool {
        !cells.contains(column) || cells[column].bytes == nil
    }

    func decode<T: Decodable>(column: String, as type: T.Type) throws -> T {
        if cells.contains(column) {
            let cell = cells[column]
            if T.self == String.self { return Self.cast(try cell.decode(String.self)) }
            if T.self == Int64.self { return Self.cast(try cell.decode(Int64.self)) }
            if T.self == Date.self { return Self.cast(try cell.decode(Date.self)) }
        }
        // Other types, and a missing column's error, as PostgresKit's row gives them.
        return try row.sql().decode(column: column, as: type)
    }

    /// `value` as `T`, which the caller made sure is `Value`. (`as? T` built `Optional<T>`'s metadata
    /// at every call.)
    private static func cast<Value, T>(_ value: Value) -> T {
        unsafeBitCast(value, to: T.self)
    }
}
