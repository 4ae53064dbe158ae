import Foundation

/// Orders: totals computed by the server from price snapshots, placed and cancelled atomically with
/// their stock moves.
public struct OrderService: Sendable {
    let store: any Store
    let now: @Sendable () -> Date
    /// Orders without an idempotency key, placed together where the store can (PostgreSQL), each
    /// under a placement token of its own.
    private let batches: Batcher<(request: PlaceOrderRequest, token: PlacementToken), Order?>?

    init(store: any Store, now: @escaping @Sendable () -> Date) {
        self.store = store
        self.now = now
        batches = (store as? any OneStatementStore).map { Self.placedTogether($0, now: now) }
    }

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

    /// Places the order atomically: all lines' stock is taken, or none and nothing is stored.
    func place(_ request: PlaceOrderRequest) async throws -> Order {
        try await Self.counted {
            guard let batches else {
                return try await store.transaction { [now] session in try await Self.place(request, in: session, at: now()) }
            }
            let token = PlacementToken.random()
            do {
                if let order = try await batches.submit((request, token)) { return order }
                // Left out by the batch, so not placed: statement by statement, it is placed or says why.
            } catch {
                // The batch failed as a whole (an error of one of its orders), or its reply was lost
                // after it committed: this order may be placed already. Its token finds out.
            }
            return try await placeOnce(request, token: token)
        }
    }

    /// Places the order statement by statement under its placement token, unless an order with that
    /// token exists; the token's unique index keeps a batch that commits meanwhile from adding a second.
    private func placeOnce(_ request: PlaceOrderRequest, token: PlacementToken) async throws -> Order {
        do {
            return try await store.transaction { [now] session in
                if let placed = try await session.order(placementToken: token) { return placed }
                return try await Self.place(request, in: session, at: now(), placementToken: token)
            }
        } catch let error as AppError {
            guard case .conflict = error, let placed = try await store.read({ try await $0.order(placementToken: token) })
            else { throw error }
            return placed
        }
    }

    /// Orders that arrive together placed by one statement (`StoreSession.placeOrdersInOneStatement`);
    /// nil for an order it left out. Orders sharing a product go in different statements.
    static func placedTogether(
        _ store: any OneStatementStore, now: @escaping @Sendable () -> Date, maxRunning: Int = 2
    ) -> Batcher<(request: PlaceOrderRequest, token: PlacementToken), Order?> {
        Batcher(maxItems: 16, maxRunning: maxRunning, keys: { Set($0.request.lines.map(\.productID)) }) { items in
            let time = now()
            let orders = items.map { OrderToPlace(request: $0.request, date: $0.request.day(placedAt: time), placementToken: $0.token) }
            let placed = try await store.oneStatementWrite { try await $0.placeOrdersInOneStatement(orders, at: time) }
            return orders.indices.map { index in
                placed[index].map { Order(id: $0.orderID, placing: orders[index], lines: $0.lines, at: time) }
            }
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

    /// Places the order in the caller's transaction, in four statements for a one-line order: take
    /// the stock, store the order and its lines, record the ledger entries. A missing user, a short or
    /// missing product or a wrong `total_price` throws, and the caller's transaction rolls everything back.
    private static func place(
        _ request: PlaceOrderRequest, in session: StoreSession, at time: Date, placementToken: PlacementToken? = nil
    ) async throws -> Order {
        let order = OrderToPlace(request: request, date: request.day(placedAt: time), placementToken: placementToken)
        let (orderID, lines) = try await Inventory.take(request.lines, in: session, at: time) { lines in
            let total = total(of: lines)
            if let expected = request.expectedTotal, expected != total {
                throw AppError.totalMismatch(expected: expected, computed: total)
            }
            guard let orderID = try await session.insertOrder(userID: request.userID, date: order.date, lines: lines,
                                                             total: total, placementToken: placementToken, at: time)
            else { throw AppError.unknownUser(request.userID) }
            return orderID
        }
        return Order(id: orderID, placing: order, lines: lines, at: time)
    }

    fileprivate static func total(of lines: [OrderLine]) -> Money {
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

extension Order {
    /// An order just placed, at `time`, with the lines as taken.
    init(id: Int64, placing order: OrderToPlace, lines: [OrderLine], at time: Date) {
        self.init(id: id, userID: order.request.userID, date: order.date, status: .placed, lines: lines,
                  totalPrice: OrderService.total(of: lines), createdAt: time, updatedAt: time)
    }
}

extension PlaceOrderRequest {
    /// The order's date: the one sent, or the day it is placed.
    func day(placedAt time: Date) -> String { date ?? time.iso8601Day }
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
