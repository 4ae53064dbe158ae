import Foundation
import SQLKit

/// Reading stored rows into domain values, and the keyset-paging query shared by every list.
extension StoreSession {
    /// `limit + 1` rows of `select` after the cursor, ascending by id; `select` must end in a WHERE clause.
    func page<Item: Sendable>(
        _ select: SQLQueryString, _ request: PageRequest, orderedBy key: String = "id", id: (Item) -> Int64,
        decode: (any SQLRow) throws -> Item
    ) async throws -> Page<Item> {
        var query = select
        if let afterID = request.afterID {
            query.appendInterpolation(unsafeRaw: " AND \(key) > ")
            query.appendInterpolation(bind: afterID)
        }
        query.appendInterpolation(unsafeRaw: " ORDER BY \(key) LIMIT ")
        query.appendInterpolation(bind: request.limit + 1)
        let rows = try await sql.raw(query).all()
        return Page(fetched: try rows.map(decode), limit: request.limit, id: id)
    }

    /// Several rows in one `INSERT … VALUES (…), (…)`, every value bound. Written as text rather than
    /// with SQLKit's insert builder, whose quoting of each identifier was a quarter of an order's
    /// time on the writer.
    func insertRows(into table: String, columns: String, _ rows: [[any Encodable & Sendable]]) async throws {
        var insert: SQLQueryString = "INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: columns)) VALUES "
        for (index, row) in rows.enumerated() {
            insert.appendInterpolation(unsafeRaw: index == 0 ? "(" : ", (")
            insert.appendInterpolation(binds: row)
            insert.appendInterpolation(unsafeRaw: ")")
        }
        try await sql.raw(insert).run()
    }
}

extension SQLRow {
    func int(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decodeNil(column: column) ? nil : string(column) }
    func date(_ column: String) throws -> Date { try decode(column: column, as: Date.self) }
    func optionalDate(_ column: String) throws -> Date? { try decodeNil(column: column) ? nil : date(column) }
    func optionalInt(_ column: String) throws -> Int64? { try decodeNil(column: column) ? nil : int(column) }
    func money(_ column: String) throws -> Money { Money(cents: try int(column)) }

    /// A column holding one of an enumeration's raw values.
    func choice<Value: RawRepresentable<String>>(_ column: String) throws -> Value {
        let text = try string(column)
        guard let value = Value(rawValue: text) else { throw StoreInvariantError.unknownValue(column: column, text) }
        return value
    }
}

extension StoreSession {
    /// The cheapest question the database can answer, for readiness checks.
    func ping() async throws {
        try await sql.raw("SELECT 1 AS ok").run()
    }
}
