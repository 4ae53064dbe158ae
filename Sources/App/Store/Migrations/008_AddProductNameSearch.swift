import SQLKit

/// An index for `GET /products?q=`, so a search costs the same at a million products as at a thousand.
/// SQLite: an FTS5 trigram table over `products.name`, kept in step by triggers (its rowid is the
/// product id). PostgreSQL: a pg_trgm GIN index, which `ILIKE '%…%'` uses.
struct AddProductNameSearch: Migration {
    let name = "add_product_name_search"

    func prepare(on database: any SQLDatabase) async throws {
        for statement in Self.statements(database).prepare {
            try await database.raw("\(unsafeRaw: statement)").run()
        }
    }

    func revert(on database: any SQLDatabase) async throws {
        for statement in Self.statements(database).revert {
            try await database.raw("\(unsafeRaw: statement)").run()
        }
    }

    private static func statements(_ database: any SQLDatabase) -> (prepare: [String], revert: [String]) {
        switch database.dialect.name {
        case "sqlite":
            ([
                """
                CREATE VIRTUAL TABLE products_name_search USING fts5(
                    name, content = 'products', content_rowid = 'id', tokenize = 'trigram')
                """,
                """
                CREATE TRIGGER products_name_search_insert AFTER INSERT ON products BEGIN
                    INSERT INTO products_name_search (rowid, name) VALUES (new.id, new.name);
                END
                """,
                """
                CREATE TRIGGER products_name_search_update AFTER UPDATE OF name ON products BEGIN
                    INSERT INTO products_name_search (products_name_search, rowid, name) VALUES ('delete', old.id, old.name);
                    INSERT INTO products_name_search (rowid, name) VALUES (new.id, new.name);
                END
                """,
                """
                CREATE TRIGGER products_name_search_delete AFTER DELETE ON products BEGIN
                    INSERT INTO products_name_search (products_name_search, rowid, name) VALUES ('delete', old.id, old.name);
                END
                """,
                "INSERT INTO products_name_search (products_name_search) VALUES ('rebuild')",
            ], [
                "DROP TRIGGER products_name_search_delete",
                "DROP TRIGGER products_name_search_update",
                "DROP TRIGGER products_name_search_insert",
                "DROP TABLE products_name_search",
            ])
        case "postgresql":
            ([
                "CREATE EXTENSION IF NOT EXISTS pg_trgm",
                "CREATE INDEX products_name_trigram_idx ON products USING gin (name gin_trgm_ops)",
            ], [
                "DROP INDEX products_name_trigram_idx",
            ])
        default:
            ([], [])
        }
    }
}
