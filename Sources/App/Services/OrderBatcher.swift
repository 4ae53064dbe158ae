import Foundation
import NIOConcurrencyHelpers

/// Places orders that arrive together in one statement (`StoreSession.placeOrdersInOneStatement`,
/// PostgreSQL), each still all or nothing on its own. An order that arrives while `maxBatches`
/// placements are running waits for the next, which takes up to `maxOrders` of those waiting; so a
/// lone order goes at once, and under load one round trip, one statement's start and one commit
/// (its WAL flush) serve many orders instead of one. Orders sharing a product go in different
/// placements, in the order they came, so each sees the stock the earlier one left.
final class OrderBatcher: Sendable {
    private struct Waiting {
        let request: PlaceOrderRequest
        let productIDs: Set<Int64>
        let continuation: CheckedContinuation<Order?, Never>
    }

    private struct State {
        var waiting: [Waiting] = []
        var running = 0
    }

    private let store: any Store
    private let now: @Sendable () -> Date
    private let maxOrders: Int
    private let maxBatches: Int
    private let state = NIOLockedValueBox(State())

    init(store: any Store, now: @escaping @Sendable () -> Date, maxOrders: Int = 16, maxBatches: Int = 2) {
        self.store = store
        self.now = now
        self.maxOrders = maxOrders
        self.maxBatches = maxBatches
    }

    /// The order, placed; nil when its placement did not place it (a rule refused it, or the statement
    /// failed as a whole): the caller then places it on its own, which explains a refusal.
    func place(_ request: PlaceOrderRequest) async -> Order? {
        await withCheckedContinuation { continuation in
            let waiting = Waiting(request: request, productIDs: Set(request.lines.map(\.productID)), continuation: continuation)
            let startsPlacing = state.withLockedValue { state in
                state.waiting.append(waiting)
                guard state.running < maxBatches else { return false }
                state.running += 1
                return true
            }
            if startsPlacing { Task { await self.placeWhileWaiting() } }
        }
    }

    private func placeWhileWaiting() async {
        while let batch = nextBatch() {
            let orders = await placeTogether(batch.map(\.request))
            for (waiting, order) in zip(batch, orders) { waiting.continuation.resume(returning: order) }
        }
    }

    /// Up to `maxOrders` of the waiting orders, first come first, none sharing a product with another;
    /// nil, and one placement fewer running, when none wait.
    private func nextBatch() -> [Waiting]? {
        state.withLockedValue { state in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            var batch: [Waiting] = []
            var later: [Waiting] = []
            var productIDs: Set<Int64> = []
            for waiting in state.waiting {
                if batch.count < maxOrders && productIDs.isDisjoint(with: waiting.productIDs) {
                    batch.append(waiting)
                    productIDs.formUnion(waiting.productIDs)
                } else {
                    later.append(waiting)
                }
            }
            state.waiting = later
            return batch
        }
    }

    private func placeTogether(_ requests: [PlaceOrderRequest]) async -> [Order?] {
        let time = now()
        let orders = requests.map { OrderToPlace(request: $0, date: $0.day(placedAt: time)) }
        do {
            let placed = try await store.oneStatementWrite { try await $0.placeOrdersInOneStatement(orders, at: time) }
            return orders.indices.map { index in
                placed[index].map { Order(id: $0.orderID, placing: orders[index], lines: $0.lines, at: time) }
            }
        } catch {
            // Whatever failed (a user deleted meanwhile, the database unreachable) is met again, and
            // answered, when each order is placed on its own.
            return requests.map { _ in nil }
        }
    }
}
