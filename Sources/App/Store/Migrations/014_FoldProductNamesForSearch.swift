import SQLKit

/// PostgreSQL: each product's name in lower case, stored beside it, with the search's trigram index
/// moved onto it. `q` then matches with `LIKE`, which compares bytes, instead of `ILIKE`, which
/// lowers the name of every row it looks at: a rare text's search cost the database 40 % less,
/// `pgbench` with the service's two statements (benchmarks/README, session 18). On a UTF-8
/// database `name ILIKE p` is `lower(name) LIKE lower(p)` by definition, so matches are the same.
/// Adding the column rewrites the table once. SQLite and MySQL search as before.
struct FoldProductNamesForSearch: Migration {
    let name = "fold_product_names_for_search"

    func prepare(on database: any SQLDatabase) async throws {
        guard database.dialect.name == "postgresql" else { return }
        try await database.raw("ALTER TABLE products ADD COLUMN name_lowercase text GENERATED ALWAYS AS (lower(name)) STORED").run()
        try await database.raw("CREATE INDEX products_name_lowercase_trigram_idx ON products USING gin (name_lowercase gin_trgm_ops)").run()
        try await database.raw("DROP INDEX products_name_trigram_idx").run()
    }

    func revert(on database: any SQLDatabase) async throws {
        guard database.dialect.name == "postgresql" else { return }
        try await database.raw("CREATE INDEX products_name_trigram_idx ON products USING gin (name gin_trgm_ops)").run()
        try await database.raw("ALTER TABLE products DROP COLUMN name_lowercase").run()
    }
}
