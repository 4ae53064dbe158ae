import Foundation

/// The one place stock moves: orders take it, cancels return it, stock settings and product updates
/// set it. Every move is a conditional update inside the caller's transaction (`StoreSession.moveStock`),
/// so concurrent orders can never oversell.
enum Inventory {
    /// Takes each line's quantity from stock and snapshots name and price. Throws, leaving the caller's
    /// transaction to roll back every move, when a product does not exist (400) or is short (409).
    static func take(_ requests: [OrderLineRequest], in session: StoreSession, at now: Date) async throws -> [OrderLine] {
        var taken: [Int64: StockLevel] = [:]
        var missing: FieldProblems = [:]
        var short: [Int64] = []
        // Rows are always updated in ascending id order, so concurrent orders cannot deadlock on them.
        for (index, request) in requests.enumerated().sorted(by: { $0.element.productID < $1.element.productID }) {
            if let level = try await session.moveStock(productID: request.productID, by: -request.quantity, at: now) {
                taken[request.productID] = level
            } else if try await session.productExists(id: request.productID) {
                short.append(request.productID)
            } else {
                missing["items[\(index)].product_id", default: []].append("there is no product with id \(request.productID)")
            }
        }
        if !missing.isEmpty { throw AppError.validation(missing) }
        if !short.isEmpty { throw AppError.outOfStock(productIDs: short) }
        return requests.compactMap { request in
            taken[request.productID].map {
                OrderLine(productID: request.productID, name: $0.name, quantity: request.quantity, unitPrice: $0.price)
            }
        }
    }

    /// Returns the lines' quantities to stock, e.g. when their order is cancelled.
    static func restore(_ lines: [OrderLine], in session: StoreSession, at now: Date) async throws {
        for line in lines.sorted(by: { $0.productID < $1.productID }) {
            guard try await session.moveStock(productID: line.productID, by: line.quantity, at: now) != nil else {
                throw StoreInvariantError.missingRow
            }
        }
    }

    /// Sets a live product's stock to `quantity`; nil when there is no such product.
    static func set(productID: Int64, to quantity: Int64, in session: StoreSession, at now: Date) async throws -> Product? {
        guard var product = try await session.product(id: productID, lock: true) else { return nil }
        let delta = quantity - product.quantity
        if delta != 0 {
            guard let level = try await session.moveStock(productID: productID, by: delta, at: now) else {
                throw StoreInvariantError.missingRow
            }
            product.quantity = level.quantity
            product.updatedAt = now
        }
        return product
    }
}
