import Foundation

/// Orders: totals computed by the server from price snapshots, placed and cancelled atomically with
/// their stock moves.
public struct OrderService: Sendable {
    let store: any Store
    let now: @Sendable () -> Date
    /// For the orders that events carry.
    let currency: Currency
    let lowStockThreshold: Int64

    func list(_ filter: OrderFilter, _ page: PageRequest) async throws -> Page<Order> {
        try await store.read { try await $0.orders(filter, page) }
    }

    /// A user's orders; 404 when the user does not exist (rather than an empty list that hides a typo).
    func list(userID: Int64, _ filter: OrderFilter = OrderFilter(), _ page: PageRequest) async throws -> Page<Order> {
        var filter = filter
        filter.userID = userID
        return try await store.read { [filter] session in
            guard try await session.user(id: userID) != nil else { throw AppError.missing("user", userID) }
            return try await session.orders(filter, page)
        }
    }

    func get(id: Int64) async throws -> Order {
        guard let order = try await store.shortRead({ try await $0.order(id: id) }) else { throw AppError.missing("order", id) }
        return order
    }

    /// The order, if `caller` may see it: a customer sees only their own, and another user's order
    /// answers 404, as if it did not exist.
    func order(id: Int64, visibleTo caller: Caller) async throws -> Order {
        let order = try await get(id: id)
        guard caller.owns(userID: order.userID) else { throw AppError.missing("order", id) }
        return order
    }

    /// Places the order atomically: all lines' stock is taken, or none and nothing is stored.
    func place(_ request: PlaceOrderRequest) async throws -> Order {
        try await Self.counted {
            let time = now()
            let outcomes = try await store.placeOrders(
                [OrderToPlace(request: request, placedAt: time, lowStockThreshold: lowStockThreshold)], at: time)
            guard let outcome = outcomes.first else { throw StoreInvariantError.missingRow }
            return try outcome.mapError { $0.error(for: request) }.get()
        }
    }

    /// Places the order once per idempotency key: the first request places it and its response is
    /// stored in the same transaction; a repeat of the same request gets that response back, a
    /// different request with the key is refused. `respond` renders the response to store.
    func place(
        _ request: PlaceOrderRequest, idempotencyKey key: IdempotencyKey,
        respond: @escaping @Sendable (Order) throws -> String
    ) async throws -> (response: String, replayed: Bool) {
        try await Self.counted(isNew: { !$0.replayed }) {
            try await store.once(key, fingerprint: request.fingerprint, now: now) { [lowStockThreshold] session, time in
                let order: Order
                do {
                    order = try await session.placeOrder(
                        OrderToPlace(request: request, placedAt: time, lowStockThreshold: lowStockThreshold), at: time)
                } catch let refusal as PlacementRefusal {
                    throw refusal.error(for: request)
                }
                return (order.id, try respond(order))
            }
        }
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

    /// Cancels a placed order and returns to stock every unit a refund has not already returned,
    /// exactly once: a second cancel is a conflict, and so is a cancel of an order with shipped lines
    /// or money held (`OrderProgress.cancelRefusal`).
    func cancel(id: Int64) async throws -> Order {
        let order = try await store.transaction { [now, currency] session in
            let time = now()
            guard var progress = try await session.orderProgress(id: id) else { throw AppError.missing("order", id) }
            if let refusal = progress.cancelRefusal { throw refusal }
            let before = progress
            try await Inventory.restore(progress.cancelRestock, .cancel(id), in: session, at: time)
            progress.recordCancel()
            try await session.storeProgress(progress, changedFrom: before, currency, at: time)
            guard let order = try await session.order(id: id) else { throw StoreInvariantError.missingRow }
            return order
        }
        AppMetrics.ordersCancelled.increment()
        return order
    }
}

