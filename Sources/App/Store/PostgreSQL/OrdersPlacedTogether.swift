import Foundation

/// PostgreSQL's order placement: orders that arrive together are placed by one statement
/// (`StoreSession.placeOrdersInOneStatement`), each under a placement token of its own, and an order
/// that statement could not decide, or whose outcome it left unknown, statement by statement.
final class OrdersPlacedTogether: Sendable {
    typealias Item = (order: OrderToPlace, token: PlacementToken, time: Date)
    /// Runs the one statement for orders sharing no product.
    typealias Statement = @Sendable (_ orders: [OrderToPlace], _ time: Date) async throws -> [PlacementOutcome?]

    private let batches: Batcher<Item, PlacementOutcome?>

    init(maxRunning: Int = 2, statement: @escaping Statement) {
        batches = Batcher(maxItems: 16, maxRunning: maxRunning, keys: { Set($0.order.request.lines.map(\.productID)) }) { items in
            // One statement, one time: the latest asked for.
            let time = items.map(\.time).max() ?? Date()
            return try await statement(items.map(\.order), time)
        }
    }

    /// How many orders wait for a statement to take them.
    var waitingCount: Int { batches.waitingCount }

    /// `Store.placeOrders` on `store`, whose transactions place the orders the statement does not.
    func placeOrders(_ orders: [OrderToPlace], at time: Date, in store: any Store) async throws -> [PlacementOutcome] {
        let items = orders.map { order in
            let token = PlacementToken.random()
            var order = order
            order.placementToken = token
            return (order: order, token: token, time: time)
        }
        var outcomes: [PlacementOutcome] = []
        for (item, result) in zip(items, await batches.submit(items)) {
            if case .success(let outcome?) = result {
                outcomes.append(outcome)
            } else {
                // Left undecided, or the statement failed as a whole (an error of one of its orders),
                // or its reply was lost after it committed: the order may be placed already. Its token
                // finds out.
                outcomes.append(try await Self.placeOnce(item.order, token: item.token, at: time, in: store))
            }
        }
        return outcomes
    }

    /// Places the order statement by statement under its placement token, unless an order with that
    /// token exists; the token's unique index keeps a statement that commits meanwhile from adding a second.
    private static func placeOnce(
        _ order: OrderToPlace, token: PlacementToken, at time: Date, in store: any Store
    ) async throws -> PlacementOutcome {
        do {
            return try await store.outcome { session in
                if let placed = try await session.order(placementToken: token) { return placed }
                return try await session.placeOrder(order, at: time)
            }
        } catch let error as AppError {
            guard case .conflict = error, let placed = try await store.read({ try await $0.order(placementToken: token) })
            else { throw error }
            return .success(placed)
        }
    }
}
