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
}

extension SQLRow {
    func int(_ column: String) throws -> Int64 { try decode(column: column, as: Int64.self) }
    func string(_ column: String) throws -> String { try decode(column: column, as: String.self) }
    func optionalString(_ column: String) throws -> String? { try decode(column: column, as: String?.self) }
    func date(_ column: String) throws -> Date { try decode(column: column, as: Date.self) }
    func money(_ column: String) throws -> Money { Money(cents: try int(column)) }
}
