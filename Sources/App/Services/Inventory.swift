import Foundation

/// The one place stock moves: orders take it, cancels return it, stock settings, product updates and
/// adjustments change it. Every move is a conditional update in the caller's transaction — so
/// concurrent moves can never take stock below zero — followed by its ledger entry. The one exception
/// is orders on PostgreSQL without an idempotency key, placed together by one statement that follows
/// these rules (`StoreSession.placeOrdersInOneStatement`); an order it does not place comes here.
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

    /// Takes each line's quantity, snapshots name and price, lets `storeOrder` store the order with
    /// those lines, and records the moves against it in the ledger (one statement for all lines).
    /// Throws, leaving the caller's transaction to roll back every move, when a product does not exist
    /// (400) or is short (409), or when `storeOrder` throws.
    static func take(
        _ requests: [OrderLineRequest], in session: StoreSession, at now: Date,
        storeOrder: ([OrderLine]) async throws -> Int64
    ) async throws -> (orderID: Int64, lines: [OrderLine]) {
        var taken: [Int64: StockLevel] = [:]
        var missing: Set<Int64> = []
        var short: [Int64] = []
        // Rows are always updated in ascending id order, so concurrent orders cannot deadlock on them.
        for request in requests.sorted(by: { $0.productID < $1.productID }) {
            if let level = try await session.moveStock(productID: request.productID, by: -request.quantity, at: now) {
                taken[request.productID] = level
            } else if try await session.productExists(id: request.productID) {
                short.append(request.productID)
            } else {
                missing.insert(request.productID)
            }
        }
        if !missing.isEmpty { throw AppError.missingProducts(missing, of: requests) }
        if !short.isEmpty { throw AppError.outOfStock(productIDs: short) }
        let lines = requests.compactMap { request in
            taken[request.productID].map {
                OrderLine(productID: request.productID, name: $0.name, quantity: request.quantity, unitPrice: $0.price)
            }
        }
        let orderID = try await storeOrder(lines)
        let moves = requests.sorted { $0.productID < $1.productID }.compactMap { request in
            taken[request.productID].map { (productID: request.productID, delta: -request.quantity, quantityAfter: $0.quantity) }
        }
        try await session.insertStockMovements(moves, cause: .order(orderID), at: now)
        return (orderID, lines)
    }

    /// Returns a cancelled order's quantities to stock; a conflict (409), leaving the caller's
    /// transaction to roll back, when that would pass a product's maximum. (Products are only ever
    /// soft-deleted, so a line's product row is always there to return stock to.)
    static func restore(_ lines: [OrderLine], of orderID: Int64, in session: StoreSession, at now: Date) async throws {
        for line in lines.sorted(by: { $0.productID < $1.productID }) {
            guard try await move(productID: line.productID, by: line.quantity, .cancel(orderID), in: session, at: now) != nil
            else {
                throw AppError.conflict("""
                    Cancelling order \(orderID) would take the stock of product \(line.productID) past the maximum of \
                    \(Product.maximumStock).
                    """)
            }
        }
    }

    /// Sets a live product's stock to `quantity`, recording the difference; nil when there is no such
    /// product. With `expected`, a count taken by hand: refused (412) unless the stock is still that.
    static func set(
        productID: Int64, to quantity: Int64, expected: Int64? = nil, in session: StoreSession, at now: Date
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
            product.quantity = moved.level.quantity
            product.updatedAt = now
        }
        return product
    }

    /// Applies a relative change to a live product's stock: 404 for no such product, 409 below zero or
    /// past `Product.maximumStock`.
    static func adjust(
        productID: Int64, by delta: Int64, reason: String?, in session: StoreSession, at now: Date
    ) async throws -> StockMovement {
        guard try await session.productExists(id: productID) else { throw AppError.missing("product", productID) }
        guard let moved = try await move(productID: productID, by: delta, .adjustment(reason: reason), in: session, at: now)
        else {
            throw AppError.conflict(delta < 0
                ? "The adjustment would take the stock of product \(productID) below zero."
                : "The adjustment would take the stock of product \(productID) past the maximum of \(Product.maximumStock).")
        }
        return moved.movement
    }

    /// The opening entry of a new product's ledger.
    static func recordInitial(_ product: Product, in session: StoreSession) async throws {
        _ = try await session.insertStockMovement(
            productID: product.id, delta: product.quantity, quantityAfter: product.quantity, cause: .initial,
            at: product.createdAt
        )
    }
}
