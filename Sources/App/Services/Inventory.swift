import Foundation

/// Stock moves other than an order's: cancels return stock, stock settings, product updates and
/// adjustments change it. (Orders take it by their placement: `Store.placeOrders`.) Every move is a
/// conditional update in the caller's transaction — so concurrent moves can never take stock below
/// zero or past `Product.maximumStock` — followed by its ledger entry.
enum Inventory {
    /// Adds `delta` to the product's stock and records why; nil, with nothing changed, when the product
    /// is missing or the move would take its stock below zero or past `Product.maximumStock`.
    static func move(
        productID: Int64, by delta: Int64, _ cause: StockCause, in session: StoreSession, at now: Date
    ) async throws -> (level: StockLevel, movement: StockMovement)? {
        guard let level = try await session.moveStock(productID: productID, by: delta, at: now) else { return nil }
        let movement = try await session.insertStockMovement(
            productID: productID, delta: delta, quantityAfter: level.quantity, cause: cause, at: now
        )
        return (level, movement)
    }

    /// Returns an order's units to stock (a cancel, or a refund's restock), products in ascending id
    /// order as every stock move takes them; a conflict (409), leaving the caller's transaction to roll
    /// back, when that would pass a product's maximum. (Products are only ever soft-deleted, so a
    /// line's product row is always there to return stock to.)
    static func restore(_ items: [ItemQuantity], _ cause: StockCause, in session: StoreSession, at now: Date) async throws {
        for item in items.sorted(by: { $0.productID < $1.productID }) {
            guard try await move(productID: item.productID, by: item.quantity, cause, in: session, at: now) != nil else {
                throw AppError.conflict("""
                    Returning \(item.quantity) of product \(item.productID) to stock would take it past the maximum of \
                    \(Product.maximumStock).
                    """)
            }
        }
    }

    /// Sets a live product's stock to `quantity`, recording the difference; nil when there is no such
    /// product. With `expected`, a count taken by hand: refused (412) unless the stock is still that.
    static func set(
        productID: Int64, to quantity: Int64, expected: Int64? = nil, alertBelow threshold: Int64, in session: StoreSession, at now: Date
    ) async throws -> Product? {
        guard var product = try await session.product(id: productID, lock: true) else { return nil }
        if let expected, expected != product.quantity {
            throw AppError.stockMismatch(current: product.quantity)
        }
        let delta = quantity - product.quantity
        if delta != 0 {
            guard let moved = try await move(productID: productID, by: delta, .set, in: session, at: now) else {
                throw StoreInvariantError.missingRow
            }
            try await recordAlerts(productID: productID, from: product.quantity, to: moved.level.quantity, threshold, in: session, at: now)
            product.quantity = moved.level.quantity
            product.updatedAt = now
        }
        return product
    }

    /// Applies a relative change to a live product's stock: 404 for no such product, 409 below zero or
    /// past `Product.maximumStock`.
    static func adjust(
        productID: Int64, by delta: Int64, reason: String?, alertBelow threshold: Int64, in session: StoreSession, at now: Date
    ) async throws -> StockMovement {
        guard try await session.productExists(id: productID) else { throw AppError.missing("product", productID) }
        guard let moved = try await move(productID: productID, by: delta, .adjustment(reason: reason), in: session, at: now)
        else {
            throw AppError.conflict(delta < 0
                ? "The adjustment would take the stock of product \(productID) below zero."
                : "The adjustment would take the stock of product \(productID) past the maximum of \(Product.maximumStock).")
        }
        try await recordAlerts(productID: productID, from: moved.level.quantity - delta, to: moved.level.quantity, threshold, in: session, at: now)
        return moved.movement
    }

    /// The stock events a move is news of (`StockAlert`), rendered by the dispatcher with the stock it left.
    private static func recordAlerts(
        productID: Int64, from before: Int64, to after: Int64, _ threshold: Int64, in session: StoreSession, at now: Date
    ) async throws {
        let alerts = StockAlert.events(before: before, after: after, threshold: threshold)
        try await session.recordDeferredEvents(alerts.map { ($0, productID, after) }, at: now)
    }

    /// The opening entry of a new product's ledger.
    static func recordInitial(_ product: Product, in session: StoreSession) async throws {
        _ = try await session.insertStockMovement(
            productID: product.id, delta: product.quantity, quantityAfter: product.quantity, cause: .initial,
            at: product.createdAt
        )
    }
}
