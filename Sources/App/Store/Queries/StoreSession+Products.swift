import Foundation
import SQLKit

extension StoreSession {
    static let productColumns = "id, name, description, sku, price_cents, quantity, created_at, updated_at"
    private static let qualifiedProductColumns = productColumns.split(separator: ", ").map { "products.\($0)" }
        .joined(separator: ", ")

    /// Live (not deleted) products matching every given filter.
    func products(_ filter: ProductFilter, _ request: PageRequest) async throws -> Page<Product> {
        let search = filter.nameContains.map(nameSearch)
        var query: SQLQueryString = "SELECT \(unsafeRaw: Self.qualifiedProductColumns) FROM "
        query.appendInterpolation(search?.from ?? "products")
        query.appendInterpolation(unsafeRaw: " WHERE products.deleted_at IS NULL")
        if let search { query.appendInterpolation(search.condition) }
        if let minPrice = filter.minPrice {
            query.appendInterpolation(unsafeRaw: " AND price_cents >= ")
            query.appendInterpolation(bind: minPrice.cents)
        }
        if let maxPrice = filter.maxPrice {
            query.appendInterpolation(unsafeRaw: " AND price_cents <= ")
            query.appendInterpolation(bind: maxPrice.cents)
        }
        if let inStock = filter.inStock {
            query.appendInterpolation(unsafeRaw: inStock ? " AND quantity > 0" : " AND quantity = 0")
        }
        return try await page(query, request, orderedBy: search?.orderedID ?? "id", id: \.id, decode: Product.init(row:))
    }

    /// `lock`: the transaction will change the product (see `lockClause`).
    func product(id: Int64, lock: Bool = false) async throws -> Product? {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.productColumns) FROM products WHERE id = \(bind: id) AND deleted_at IS NULL\(lockClause(lock))
            """).first().map(Product.init(row:))
    }

    /// Live products by id, in one query; missing or deleted ids are left out.
    func products(ids: [Int64]) async throws -> [Int64: Product] {
        guard !ids.isEmpty else { return [:] }
        let products = try await sql.raw("""
            SELECT \(unsafeRaw: Self.productColumns) FROM products WHERE id IN (\(binds: ids)) AND deleted_at IS NULL
            """).all().map(Product.init(row:))
        return Dictionary(uniqueKeysWithValues: products.map { ($0.id, $0) })
    }

    func productExists(id: Int64) async throws -> Bool {
        try await sql.raw("SELECT 1 AS found FROM products WHERE id = \(bind: id) AND deleted_at IS NULL").first() != nil
    }

    func insertProduct(_ fields: ProductFields, quantity: Int64, at now: Date) async throws -> Product {
        let id = try await insertReturningID("""
            INSERT INTO products (name, description, sku, price_cents, quantity, created_at, updated_at)
            VALUES (\(bind: fields.name), \(bind: fields.description), \(bind: fields.sku), \(bind: fields.price.cents),
            \(bind: quantity), \(bind: now), \(bind: now))
            """)
        return Product(id: id, name: fields.name, description: fields.description,
                       sku: fields.sku, price: fields.price, quantity: quantity, createdAt: now, updatedAt: now)
    }

    /// Writes the client-settable fields; stock moves only through `moveStock`.
    func updateProductFields(id: Int64, _ fields: ProductFields, at now: Date) async throws {
        try await sql.raw("""
            UPDATE products SET name = \(bind: fields.name), description = \(bind: fields.description),
            sku = \(bind: fields.sku), price_cents = \(bind: fields.price.cents), updated_at = \(bind: now)
            WHERE id = \(bind: id)
            """).run()
    }

    /// Hides the product from every read; orders keep their snapshot of it. False when already gone.
    func deleteProduct(id: Int64, at now: Date) async throws -> Bool {
        try await matchedAnyRow("""
            UPDATE products SET deleted_at = \(bind: now), updated_at = \(bind: now)
            WHERE id = \(bind: id) AND deleted_at IS NULL
            """)
    }

    /// Adds `delta` (negative to take) to a product's stock in one conditional statement, so concurrent
    /// moves can never take it below zero nor past `Product.maximumStock`. Taking needs a live
    /// product; returning stock does not. Nil when the product is missing, short, or would pass the maximum.
    func moveStock(productID: Int64, by delta: Int64, at now: Date) async throws -> StockLevel? {
        var query: SQLQueryString = """
            UPDATE products SET quantity = quantity + \(bind: delta), updated_at = \(bind: now)
            WHERE id = \(bind: productID) AND quantity + \(bind: delta) >= 0
            """
        if delta < 0 { query.appendInterpolation(unsafeRaw: " AND deleted_at IS NULL") }
        if delta > 0 {
            query.appendInterpolation(unsafeRaw: " AND quantity <= ")
            query.appendInterpolation(bind: Product.maximumStock - delta)
        }
        return try await updateReturning(query, columns: "name, price_cents, quantity", table: "products", id: productID).map { row in
            StockLevel(name: try row.string("name"), price: try row.money("price_cents"),
                       quantity: try row.int("quantity"))
        }
    }
}

/// A product's name, price and stock right after a stock move.
struct StockLevel: Sendable {
    var name: String
    var price: Money
    var quantity: Int64
}

extension Product {
    init(row: any SQLRow) throws {
        self.init(id: try row.int("id"), name: try row.string("name"),
                  description: try row.optionalString("description"), sku: try row.optionalString("sku"),
                  price: try row.money("price_cents"), quantity: try row.int("quantity"),
                  createdAt: try row.date("created_at"), updatedAt: try row.date("updated_at"))
    }
}
