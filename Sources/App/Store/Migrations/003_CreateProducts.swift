import SQLKit

struct CreateProducts: Migration {
    let name = "create_products"

    func prepare(on database: any SQLDatabase) async throws {
        try await database.create(table: "products")
            .idColumn()
            .column("name", type: .text, .notNull)
            .column("description", type: .text)
            .column("sku", type: .text)
            .column("price_cents", type: .bigint, .notNull, .check(SQLRaw("price_cents >= 0")))
            // The database itself refuses negative stock, whatever code path tries.
            .column("quantity", type: .bigint, .notNull, .check(SQLRaw("quantity >= 0")))
            .column("created_at", type: .timestamp, .notNull)
            .column("updated_at", type: .timestamp, .notNull)
            .column("deleted_at", type: .timestamp)
            .run()
        // A deleted product frees its SKU for a new one.
        try await database.createUniqueIndex("products_sku_key", on: "products", expression: "sku", where: "deleted_at IS NULL")
    }

    func revert(on database: any SQLDatabase) async throws {
        try await database.drop(table: "products").run()
    }
}
