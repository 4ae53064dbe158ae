@testable import App
@testable import JSONSupport
import Foundation
import Logging
import Testing
import TestSupport

/// Orders placed together by one statement on PostgreSQL (`StoreSession.placeOrdersInOneStatement`,
/// `OrdersPlacedTogether`). The whole suite's orders go this way on PostgreSQL too; these pin what a
/// statement decides, that waiting orders share one, and that a lost reply places nothing twice.
/// (That it decides as the statement-by-statement placement does: `OrderPlacementConformanceTests`.)
@Suite(.enabled(if: TestDatabase.isPostgres, "runs on PostgreSQL only: set DATABASE_URL=postgres://… (CI does)"))
struct OrderBatchTests {
    @Test func oneStatementPlacesTheOrdersThatFollowTheRulesAndSaysWhyItRefusesTheOthers() async throws {
        try await withStoreAndProducts(quantities: [5, 5, 1, 5, 5, 5, 5]) { store, shop, user, products in
            let price = Money(cents: 100)
            func order(_ lines: [(Int, Int64)], user: Int64 = user.id, total: Money? = nil) -> OrderToPlace {
                var request = PlaceOrderRequest(userID: user, lines: lines.map {
                    OrderLineRequest(productID: $0.0 < products.count ? products[$0.0].id : 999_999, quantity: $0.1)
                })
                request.expectedTotal = total
                request.date = "2026-11-26"
                return OrderToPlace(request: request, placedAt: Date())
            }
            let orders = [
                order([(0, 2), (1, 1)]),                 // placed
                order([(0, 1)]),                         // shares a product with the first: undecided
                order([(2, 2)]),                         // more than the stock
                order([(3, 1)], total: Money(cents: 1)), // a wrong total
                order([(4, 1)], user: user.id + 1000),   // no such user
                order([(7, 1)]),                         // no such product
                order([(5, 3)], total: price * 3),       // placed, its total checked
                order([(6, 1), (6, 1)]),                 // a product named twice
            ]
            let now = Date()
            let outcomes = try await store.transaction { try await $0.placeOrdersInOneStatement(orders, at: now) }

            #expect(outcomes.count == orders.count)
            #expect(outcomes[1] == nil, "left to the caller")
            #expect(outcomes[2] == .failure(.outOfStock([products[2].id])))
            #expect(outcomes[3] == .failure(.totalMismatch(expected: Money(cents: 1), computed: price)))
            #expect(outcomes[4] == .failure(.unknownUser(user.id + 1000)))
            #expect(outcomes[5] == .failure(.unknownProducts([999_999])))
            #expect(outcomes[7] == .failure(.repeatedProducts([products[6].id])))
            let first = try #require(try outcomes[0]?.get()), last = try #require(try outcomes[6]?.get())
            #expect(first.id < last.id, "ids ascend as the orders came")
            #expect(first.lines.map(\.productID) == [products[0].id, products[1].id])
            #expect(first.lines.map(\.quantity) == [2, 1] && first.lines.allSatisfy { $0.unitPrice == price })
            for placed in [first, last] {
                let stored = try await shop.orders.get(id: placed.id)
                #expect(stored.lines == placed.lines && stored.userID == user.id && stored.date == "2026-11-26")
                #expect(stored.totalPrice == Order.total(of: placed.lines))
            }
            let stock = try await products.asyncMap { try await shop.products.get(id: $0.id).quantity }
            #expect(stock == [3, 4, 1, 5, 5, 2, 5])
            for (product, taken) in [(products[0], Int64(2)), (products[1], 1), (products[5], 3)] {
                let moves = try await shop.products.stockMovements(id: product.id, PageRequest(limit: 10)).items
                #expect(moves.map(\.delta) == [product.quantity, -taken])
                #expect(moves.last?.quantityAfter == product.quantity - taken)
            }
            #expect(try await shop.orders.list(OrderFilter(), PageRequest(limit: 10)).items.count == 2)
        }
    }

    /// Orders that arrive while a placement runs wait for the next one, which takes them all at once
    /// (one statement, so one time of placement) — except one sharing a product, which goes after.
    @Test func ordersArrivingWhileOneIsPlacedArePlacedTogether() async throws {
        try await withStoreAndProducts(quantities: [9, 9, 9, 9, 9]) { store, shop, user, products in
            let placement = OrdersPlacedTogether(maxRunning: 1) { orders, time in
                try await store.transaction { try await $0.placeOrdersInOneStatement(orders, at: time) }
            }
            func place(_ product: Product) -> Task<Order, any Error> {
                let request = PlaceOrderRequest(userID: user.id, lines: [OrderLineRequest(productID: product.id, quantity: 1)])
                return Task {
                    try await placement.placeOrders([OrderToPlace(request: request, placedAt: Date())], at: Date(), in: store)[0].get()
                }
            }
            // The first placement waits for a lock on its product, held here until the others wait too.
            let (locked, lockTaken) = AsyncStream<Void>.makeStream()
            let (release, releaseLock) = AsyncStream<Void>.makeStream()
            let holder = Task {
                try await store.transaction { session in
                    _ = try await session.product(id: products[0].id, lock: true)
                    lockTaken.yield()
                    for await _ in release { break }
                }
            }
            for await _ in locked { break }
            let first = place(products[0])
            try await eventually { try await store.read { session in
                try await session.sql.raw("""
                    SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()
                    """).first()?.decode(column: "n", as: Int.self) == 1
            } }
            let others = [place(products[1]), place(products[2]), place(products[3])]
            try await eventually { placement.waitingCount == 3 }
            let sharing = place(products[1])
            try await eventually { placement.waitingCount == 4 }
            releaseLock.yield()
            try await holder.value

            let firstOrder = try await first.value
            let together = try await others.asyncMap { try await $0.value }
            let after = try await sharing.value
            #expect(Set(together.map(\.createdAt)).count == 1, "one placement for the three")
            #expect(!together.map(\.createdAt).contains(firstOrder.createdAt))
            #expect(!together.map(\.createdAt).contains(after.createdAt))
            #expect(try await shop.products.get(id: products[1].id).quantity == 7)
        }
    }

    /// The connection is lost after PostgreSQL committed a batch and before its reply arrived: the
    /// order is found by its placement token, not placed a second time.
    @Test func anOrderWhoseBatchReplyWasLostIsPlacedOnce() async throws {
        try await withStoreAndProducts(quantities: [9]) { store, shop, user, products in
            let replyLost = OrdersPlacedTogether { orders, time in
                _ = try await store.transaction { try await $0.placeOrdersInOneStatement(orders, at: time) }
                throw AppError.unavailable("The database is unavailable; please retry.")
            }
            let request = PlaceOrderRequest(userID: user.id, lines: [OrderLineRequest(productID: products[0].id, quantity: 2)])

            let order = try await replyLost.placeOrders([OrderToPlace(request: request, placedAt: Date())], at: Date(), in: store)[0].get()

            let stored = try await shop.orders.list(OrderFilter(), PageRequest(limit: 10)).items
            #expect(stored.map(\.id) == [order.id])
            #expect(try await shop.products.get(id: products[0].id).quantity == 7)
            let moves = try await shop.products.stockMovements(id: products[0].id, PageRequest(limit: 10)).items
            #expect(moves.map(\.delta) == [9, -2])
        }
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
