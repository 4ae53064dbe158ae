import Foundation
import SQLKit

/// Emails and usernames become one identity whatever their letter case or Unicode normalization
/// (`Identity`): each is rewritten in NFC beside a key column holding its folded form, and the
/// unique indexes (same names, so a clash is still answered 409) move from `lower(…)`, which folds
/// ASCII only on SQLite, to the keys. Rows that only now turn out to be one identity stop the
/// migration, named, for a person to decide which to change; nothing is changed then.
struct FoldIdentities: Migration {
    let name = "fold_identities"

    /// A table's identity column and the key and unique index that go with it.
    private struct IdentityColumn {
        let table: String
        let column: String
        let key: String
        let index: String
        /// The old index's expression, for `revert`.
        var lowered: String { "lower(\(column))" }
    }

    private static let columns = [
        IdentityColumn(table: "users", column: "email", key: "email_key", index: "users_email_key"),
        IdentityColumn(table: "accounts", column: "username", key: "username_key", index: "accounts_username_key"),
    ]

    func prepare(on database: any SQLDatabase) async throws {
        var rewrites: [(IdentityColumn, [(id: Int64, value: String)])] = []
        var collisions: [String] = []
        for identity in Self.columns {
            let rows = try await database.raw("""
                SELECT id, \(ident: identity.column) AS value FROM \(ident: identity.table) ORDER BY id
                """).all().map { (id: try $0.decode(column: "id", as: Int64.self), value: try $0.decode(column: "value", as: String.self)) }
            let byKey = Dictionary(grouping: rows) { Identity.key($0.value) }
            for (_, clashing) in byKey where clashing.count > 1 {
                let named = clashing.sorted { $0.id < $1.id }.map { "\($0.id) (\($0.value))" }.joined(separator: ", ")
                collisions.append("\(identity.table) \(named) have the same \(identity.column) ignoring case and normalization")
            }
            rewrites.append((identity, rows))
        }
        guard collisions.isEmpty else { throw IdentityCollision(collisions: collisions.sorted()) }

        for (identity, rows) in rewrites {
            try await database.alter(table: identity.table)
                .column(identity.key, type: .text, .notNull, .default(SQLLiteral.string("")))
                .run()
            for row in rows {
                try await database.raw("""
                    UPDATE \(ident: identity.table) SET \(ident: identity.column) = \(bind: Identity.normalized(row.value)),
                    \(ident: identity.key) = \(bind: Identity.key(row.value)) WHERE id = \(bind: row.id)
                    """).run()
            }
            try await database.dropUniqueIndex(identity.index, on: identity.table)
            try await database.createUniqueIndex(identity.index, on: identity.table, expression: identity.key)
        }
    }

    func revert(on database: any SQLDatabase) async throws {
        for identity in Self.columns.reversed() {
            try await database.dropUniqueIndex(identity.index, on: identity.table)
            try await database.alter(table: identity.table).dropColumn(identity.key).run()
            try await database.createUniqueIndex(identity.index, on: identity.table, expression: identity.lowered)
        }
    }
}

/// Rows that are one identity once folded, so the unique key cannot be built until one is changed.
struct IdentityCollision: Error, CustomStringConvertible {
    let collisions: [String]

    var description: String {
        "Migration fold_identities stopped, changing nothing: \(collisions.joined(separator: "; ")). "
            + "Change all but one of each and migrate again."
    }
}
