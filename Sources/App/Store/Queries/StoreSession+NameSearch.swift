import Foundation
import SQLKit

/// How `q` finds live products whose name contains a text, ignoring case: the tables to read, the
/// condition to add, and the id column a page walks in order.
struct NameSearch {
    let from: SQLQueryString
    let condition: SQLQueryString
    let orderedID: String
}

extension StoreSession {
    /// SQLite looks a text of three or more characters up in its trigram table (migration 8) and walks
    /// that table in id order, so a page stops after `limit` matches whether the text is common or
    /// rare. A shorter text has no trigram to look up and is matched with LIKE, which SQLite folds for
    /// ASCII only. PostgreSQL matches the text in lower case against the names stored in lower case
    /// (migration 14), through their pg_trgm index: `ILIKE` by its definition, without lowering every
    /// name it looks at.
    func nameSearch(_ text: String) -> NameSearch {
        let pattern = "%" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        switch flavour {
        case .sqlite where text.unicodeScalars.count >= 3:
            // A quoted FTS5 phrase matches the text literally, anywhere in the name.
            let phrase = "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
            return NameSearch(
                from: "products JOIN products_name_search ON products_name_search.rowid = products.id",
                condition: " AND products_name_search MATCH \(bind: phrase)", orderedID: "products_name_search.rowid"
            )
        case .sqlite:
            return NameSearch(from: "products", condition: " AND products.name LIKE \(bind: pattern) ESCAPE '\\'", orderedID: "id")
        case .postgres:
            return NameSearch(from: "products", condition: " AND products.name_lowercase LIKE lower(\(bind: pattern)) ESCAPE '\\'",
                              orderedID: "id")
        case .mysql:
            // No trigram index on MySQL (migration 8 adds none): a scan in id order, like short texts on SQLite.
            return NameSearch(from: "products", condition: " AND lower(products.name) LIKE lower(\(bind: pattern)) ESCAPE '\\'",
                              orderedID: "id")
        }
    }
}
