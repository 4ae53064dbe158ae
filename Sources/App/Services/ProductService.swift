import Foundation

/// The catalogue. Deleting a product hides it; orders keep their snapshot of it.
public struct ProductService: Sendable {
    let store: any Store
    let now: @Sendable () -> Date
    let lowStockThreshold: Int64

    /// A filtered list may walk much of the catalogue to fill its page: a long read.
    func list(_ filter: ProductFilter, _ page: PageRequest) async throws -> Page<Product> {
        if filter == ProductFilter() { return try await store.read { try await $0.products(filter, page) } }
        return try await store.longRead { try await $0.products(filter, page) }
    }

    func get(id: Int64) async throws -> Product {
        guard let product = try await store.product(id: id) else {
            throw AppError.missing("product", id)
        }
        return product
    }

    func create(_ draft: ProductDraft) async throws -> Product {
        try await store.transaction { [now] session in
            let product = try await session.insertProduct(draft.fields, quantity: draft.quantity, at: now())
            try await Inventory.recordInitial(product, in: session)
            try await session.recordEvent(.productCreated, ProductResponse(product), at: product.createdAt)
            return product
        }
    }

    /// Applies `change` to the product's fields and, when `quantity` is given, sets its stock.
    func update(
        id: Int64, quantity: Int64?, _ change: @escaping @Sendable (inout ProductFields) -> Void
    ) async throws -> Product {
        try await store.transaction { [now, lowStockThreshold] session in
            let time = now()
            guard var product = try await session.product(id: id, lock: true) else { throw AppError.missing("product", id) }
            if let quantity {
                product = try await Inventory.set(productID: id, to: quantity, alertBelow: lowStockThreshold, in: session, at: time)
                    ?? product
            }
            var fields = ProductFields(name: product.name, description: product.description, sku: product.sku,
                                       price: product.price)
            change(&fields)
            try await session.updateProductFields(id: id, fields, at: time)
            (product.name, product.description, product.sku, product.price) =
                (fields.name, fields.description, fields.sku, fields.price)
            product.updatedAt = time
            try await session.recordEvent(.productUpdated, ProductResponse(product), at: time)
            return product
        }
    }

    /// Sets the stock; with `expected`, only when the stock is still that quantity (412 otherwise).
    func setStock(id: Int64, quantity: Int64, expected: Int64?) async throws -> Product {
        try await store.transaction { [now, lowStockThreshold] session in
            let time = now()
            guard let product = try await Inventory.set(productID: id, to: quantity, expected: expected,
                                                        alertBelow: lowStockThreshold, in: session, at: time)
            else { throw AppError.missing("product", id) }
            try await session.recordEvent(.productUpdated, ProductResponse(product), at: time)
            return product
        }
    }

    func adjustStock(id: Int64, by delta: Int64, reason: String?) async throws -> StockMovement {
        try await store.transaction { [now, lowStockThreshold] session in
            let time = now()
            let movement = try await Inventory.adjust(productID: id, by: delta, reason: reason, alertBelow: lowStockThreshold,
                                                      in: session, at: time)
            guard let product = try await session.product(id: id, lock: false) else { throw StoreInvariantError.missingRow }
            try await session.recordEvent(.productUpdated, ProductResponse(product), at: time)
            return movement
        }
    }

    /// The ledger of a live product's stock.
    func stockMovements(id: Int64, _ page: PageRequest) async throws -> Page<StockMovement> {
        try await store.read { session in
            guard try await session.productExists(id: id) else { throw AppError.missing("product", id) }
            return try await session.stockMovements(productID: id, page)
        }
    }

    /// A live product with the latest `limit` movements of its stock, newest first.
    func productWithLatestMovements(id: Int64, limit: Int) async throws -> (Product, [StockMovement]) {
        try await store.read { session in
            guard let product = try await session.product(id: id) else { throw AppError.missing("product", id) }
            return (product, try await session.latestStockMovements(productID: id, limit: limit))
        }
    }

    func delete(id: Int64) async throws {
        try await store.transaction { [now] session in
            let time = now()
            // The event carries the product as it was last served.
            guard let product = try await session.product(id: id, lock: true), try await session.deleteProduct(id: id, at: time)
            else { throw AppError.missing("product", id) }
            try await session.recordEvent(.productDeleted, ProductResponse(product), at: time)
        }
    }
}
