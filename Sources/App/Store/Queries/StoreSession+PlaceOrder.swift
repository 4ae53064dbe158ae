import Foundation

extension StoreSession {
    /// Places one order statement by statement in the caller's transaction — four statements for a
    /// one-line order: take the stock, store the order and its lines, record the ledger entries —
    /// following `PlacementRefusal`'s rules in their order. A refusal is thrown, so that the caller's
    /// transaction rolls back the stock already taken.
    ///
    /// Rows are always updated in ascending id order, so concurrent orders cannot deadlock on them.
    func placeOrder(_ order: OrderToPlace, at now: Date) async throws -> Order {
        let request = order.request
        let repeated = request.repeatedProductIDs
        guard repeated.isEmpty else { throw PlacementRefusal.repeatedProducts(repeated) }
        var taken: [Int64: StockLevel] = [:]
        var unknown: [Int64] = []
        var short: [Int64] = []
        let sortedLines = request.lines.sorted { $0.productID < $1.productID }
        for line in sortedLines {
            if let level = try await moveStock(productID: line.productID, by: -line.quantity, at: now) {
                taken[line.productID] = level
            } else if try await productExists(id: line.productID) {
                short.append(line.productID)
            } else {
                unknown.append(line.productID)
            }
        }
        guard unknown.isEmpty else { throw PlacementRefusal.unknownProducts(unknown) }
        guard short.isEmpty else { throw PlacementRefusal.outOfStock(short) }
        let lines = request.lines.compactMap { line in
            taken[line.productID].map {
                OrderLine(productID: line.productID, name: $0.name, quantity: line.quantity, unitPrice: $0.price)
            }
        }
        let total = Order.total(of: lines)
        if let expected = request.expectedTotal, expected != total {
            throw PlacementRefusal.totalMismatch(expected: expected, computed: total)
        }
        guard let orderID = try await insertOrder(userID: request.userID, date: order.date, lines: lines, total: total,
                                                  placementToken: order.placementToken, at: now)
        else { throw PlacementRefusal.unknownUser(request.userID) }
        let moves = sortedLines.compactMap { line in
            taken[line.productID].map { (productID: line.productID, delta: -line.quantity, quantityAfter: $0.quantity) }
        }
        try await insertStockMovements(moves, cause: .order(orderID), at: now)
        let stockEvents = moves.flatMap { move in
            StockAlert.events(before: move.quantityAfter - move.delta, after: move.quantityAfter, threshold: order.lowStockThreshold)
                .map { (type: $0, subjectID: move.productID, quantityAfter: Optional(move.quantityAfter)) }
        }
        try await recordDeferredEvents([(.orderPlaced, orderID, nil)] + stockEvents, at: now)
        return Order(id: orderID, placing: order, lines: lines, at: now)
    }
}
