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
        if flavour == .postgres, search != nil { return try await searchPageOnPostgres(query, request) }
        return try await page(query, request, orderedBy: search?.orderedID ?? "id", id: \.id, decode: Product.init(row:))
    }

    /// How far a PostgreSQL search walks ids in key order (below): a first stretch, and a longer one
    /// only for a text that the first showed to be common enough. Every text pays for the first
    /// stretch (0.55 µs an id on this machine's PostgreSQL): 2,000 ids were 1.1 ms of a rare text's
    /// 2.6 ms there, while a common one mostly fills its page within 1,000.
    static let searchStretches: (first: Int64, second: Int64) = (1_000, 20_000)
    /// Matches in the first stretch below which a text counts as rare (under one product in 333, too
    /// few to expect a page in the second stretch).
    static let rareTextMatches = 3

    /// PostgreSQL plans each statement once for every value (`force_generic_plan`), and no one plan
    /// serves every text: walking the primary key stops early for a common text but reads most of the
    /// table for a rare one (80 ms for one product in 2,000 of 1,000,000), while the trigram index finds
    /// a rare text at once but must sort every match of a common one (130 ms for one in 18). So a page
    /// is read in steps, each bounded, until it is full: the first 1,000 ids in key order, where a
    /// common text fills it; the next 20,000 only if that stretch found enough matches to expect the
    /// page within them; then the rest through the trigram index (`ORDER BY id + 0`, an order the key
    /// cannot give, leaves the plan that index), which only a rare text or a scattered one reaches.
    private func searchPageOnPostgres(_ query: SQLQueryString, _ request: PageRequest) async throws -> Page<Product> {
        let wanted = request.limit + 1
        var found: [Product] = []
        var after = request.afterID ?? 0
        for stretch in [Self.searchStretches.first, Self.searchStretches.second] {
            let (end, overflow) = after.addingReportingOverflow(stretch)
            found += try await searchStep(query, after: after, through: overflow ? .max : end, limit: wanted - found.count)
            if found.count == wanted || overflow { return Page(fetched: found, limit: request.limit, id: \.id) }
            after = end
            if found.count < Self.rareTextMatches { break }
        }
        found += try await searchStep(query, after: after, through: nil, limit: wanted - found.count)
        return Page(fetched: found, limit: request.limit, id: \.id)
    }

    /// Up to `limit` matches with ids in `after...through` in key order, or beyond `after` through the
    /// trigram index when `through` is nil.
    private func searchStep(_ query: SQLQueryString, after: Int64, through: Int64?, limit: Int) async throws -> [Product] {
        var step = query
        step.appendInterpolation(unsafeRaw: " AND products.id > ")
        step.appendInterpolation(bind: after)
        if let through {
            step.appendInterpolation(unsafeRaw: " AND products.id <= ")
            step.appendInterpolation(bind: through)
        }
        step.appendInterpolation(unsafeRaw: through == nil ? " ORDER BY products.id + 0 LIMIT " : " ORDER BY products.id LIMIT ")
        step.appendInterpolation(bind: limit)
        return try await sql.raw(step).all().map(Product.init(row:))
    }

    /// `lock`: the transaction will change the product (see `lockClause`).
    func product(id: Int64, lock: Bool = false) async throws -> Product? {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.productColumns) FROM products WHERE id = \(bind: id) AND deleted_at IS NULL\(lockClause(lock))
            """).first().map(Product.init(row:))
    }

    /// Live products by id, in one query; missing or deleted ids are left out. On PostgreSQL the ids
    /// are one array, so that one prepared statement serves any number of them.
    func products(ids: [Int64]) async throws -> [Int64: Product] {
        guard !ids.isEmpty else { return [:] }
        let idIsListed: SQLQueryString = flavour == .postgres ? "id = ANY(\(bind: ids))" : "id IN (\(binds: ids))"
        let products = try await sql.raw("""
            SELECT \(unsafeRaw: Self.productColumns) FROM products WHERE \(idIsListed) AND deleted_at IS NULL
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
