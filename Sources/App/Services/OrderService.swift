import Foundation

/// Orders: totals computed by the server from price snapshots, placed and cancelled atomically with
/// their stock moves.
public struct OrderService: Sendable {
    let store: any Store
    let now: @Sendable () -> Date

    func list(_ filter: OrderFilter, _ page: PageRequest) async throws -> Page<Order> {
        try await store.read { try await $0.orders(filter, page) }
    }

    /// A user's orders; 404 when the user does not exist (rather than an empty list that hides a typo).
    func list(userID: Int64, _ page: PageRequest) async throws -> Page<Order> {
        try await store.read { session in
            guard try await session.user(id: userID) != nil else { throw AppError.missing("user", userID) }
            return try await session.orders(OrderFilter(userID: userID), page)
        }
    }

    func get(id: Int64) async throws -> Order {
        guard let order = try await store.read({ try await $0.order(id: id) }) else { throw AppError.missing("order", id) }
        return order
    }

    /// Places the order in one transaction: all lines' stock is taken, or none and nothing is stored.
    func place(_ request: PlaceOrderRequest) async throws -> Order {
        try await Self.counted {
            // Without idempotency the placement is its only work: one statement where the store has it.
            try await store.oneStatementWrite { [now] session in try await Self.place(request, in: session, at: now()) }
        }
    }

    /// Places the order once per idempotency key: the first request places it and its response is
    /// stored in the same transaction; a repeat of the same request gets that response back, a
    /// different request with the key is refused. `respond` renders the response to store.
    func place(
        _ request: PlaceOrderRequest, idempotencyKey key: IdempotencyKey,
        respond: @escaping @Sendable (Order) throws -> String
    ) async throws -> (response: String, replayed: Bool) {
        try await Self.counted(isNew: { !$0.replayed }) { try await store.transaction { [now] session in
            if let record = try await session.idempotencyRecord(scope: key.scope, key: key.value) {
                guard record.fingerprint == request.fingerprint else { throw AppError.idempotencyKeyReused }
                return (record.responseBody, true)
            }
            let time = now()
            let order = try await Self.place(request, in: session, at: time)
            let record = IdempotencyRecord(fingerprint: request.fingerprint, responseBody: try respond(order))
            try await session.insertIdempotencyRecord(scope: key.scope, key: key.value, record, orderID: order.id, at: time)
            return (record.responseBody, false)
        } }
    }

    /// Counts placements that succeed (replays excepted) and those refused for lack of stock, once
    /// their transaction has ended.
    private static func counted<T>(isNew: (T) -> Bool = { _ in true }, _ placement: () async throws -> T) async throws -> T {
        do {
            let result = try await placement()
            if isNew(result) { AppMetrics.ordersPlaced.increment() }
            return result
        } catch AppError.outOfStock(let productIDs) {
            AppMetrics.ordersRefusedOutOfStock.increment()
            throw AppError.outOfStock(productIDs: productIDs)
        }
    }

    /// Places the order in the caller's transaction or, where the store has it, in one statement
    /// (`StoreSession.placeOrderInOneStatement`: the same rules, one round trip instead of six).
    private static func place(_ request: PlaceOrderRequest, in session: StoreSession, at time: Date) async throws -> Order {
        let date = request.date ?? time.iso8601Day
        let (orderID, lines) = session.placesOrdersInOneStatement
            ? try await placeInOneStatement(request, date: date, in: session, at: time)
            : try await placeStatementByStatement(request, date: date, in: session, at: time)
        return Order(id: orderID, userID: request.userID, date: date, status: .placed, lines: lines,
                     totalPrice: total(of: lines), createdAt: time, updatedAt: time)
    }

    /// Four statements for a one-line order: take the stock, store the order and its lines, record
    /// the ledger entries. A missing user, a short or missing product or a wrong `total_price` throws,
    /// and the caller's transaction rolls everything back.
    private static func placeStatementByStatement(
        _ request: PlaceOrderRequest, date: String, in session: StoreSession, at time: Date
    ) async throws -> (orderID: Int64, lines: [OrderLine]) {
        try await Inventory.take(request.lines, in: session, at: time) { lines in
            let total = total(of: lines)
            if let expected = request.expectedTotal, expected != total {
                throw AppError.totalMismatch(expected: expected, computed: total)
            }
            guard let orderID = try await session.insertOrder(userID: request.userID, date: date, lines: lines,
                                                             total: total, at: time)
            else { throw AppError.unknownUser(request.userID) }
            return orderID
        }
    }

    /// One statement that changes nothing unless it places the order; when it does not, the products
    /// and the user it found say why, with the same errors, in the same order, as statement by statement.
    private static func placeInOneStatement(
        _ request: PlaceOrderRequest, date: String, in session: StoreSession, at time: Date
    ) async throws -> (orderID: Int64, lines: [OrderLine]) {
        let found = try await session.placeOrderInOneStatement(
            userID: request.userID, date: date, lines: request.lines, expectedTotal: request.expectedTotal, at: time
        )
        let lines = request.lines.compactMap { line in
            found.products[line.productID].map {
                OrderLine(productID: line.productID, name: $0.name, quantity: line.quantity, unitPrice: $0.price)
            }
        }
        if let orderID = found.orderID { return (orderID, lines) }
        let missing = Set(request.lines.map(\.productID)).subtracting(found.products.keys)
        if !missing.isEmpty { throw AppError.missingProducts(missing, of: request.lines) }
        let short = request.lines.filter { found.products[$0.productID].map(\.quantity) ?? 0 < $0.quantity }
        if !short.isEmpty { throw AppError.outOfStock(productIDs: short.map(\.productID).sorted()) }
        let total = total(of: lines)
        if let expected = request.expectedTotal, expected != total {
            throw AppError.totalMismatch(expected: expected, computed: total)
        }
        guard found.userExists else { throw AppError.unknownUser(request.userID) }
        throw StoreInvariantError.missingRow
    }

    private static func total(of lines: [OrderLine]) -> Money {
        lines.reduce(Money.zero) { $0 + $1.lineTotal }
    }

    /// Cancels a placed order and returns its stock, exactly once: a second cancel is a conflict.
    func cancel(id: Int64) async throws -> Order {
        let order = try await store.transaction { [now] session in
            let time = now()
            guard try await session.cancelOrder(id: id, at: time) else {
                guard try await session.order(id: id) != nil else { throw AppError.missing("order", id) }
                throw AppError.conflict("Order \(id) is already cancelled.")
            }
            guard let order = try await session.order(id: id) else { throw StoreInvariantError.missingRow }
            try await Inventory.restore(order.lines, of: id, in: session, at: time)
            return order
        }
        AppMetrics.ordersCancelled.increment()
        return order
    }
}

extension AppError {
    /// The lines of an order whose products do not exist, each named by its field.
    static func missingProducts(_ productIDs: Set<Int64>, of lines: [OrderLineRequest]) -> AppError {
        var problems: FieldProblems = [:]
        for (index, line) in lines.enumerated() where productIDs.contains(line.productID) {
            problems["items[\(index)].product_id"] = ["there is no product with id \(line.productID)"]
        }
        return .validation(problems)
    }

    static func totalMismatch(expected: Money, computed: Money) -> AppError {
        .conflict("total_price \(expected) does not match the computed total \(computed).",
                  details: ["total_price": ["must equal the computed total \(computed)"]])
    }

    static func unknownUser(_ id: Int64) -> AppError {
        .invalid("user_id", "there is no user with id \(id)")
    }
}
