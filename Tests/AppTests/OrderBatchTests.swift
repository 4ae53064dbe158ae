@testable import App
import Foundation
import Logging
import Testing

/// Orders placed together by one statement on PostgreSQL (`StoreSession.placeOrdersInOneStatement`,
/// `OrderService.placedTogether`). The whole suite's orders go this way on PostgreSQL too; these pin what a batch
/// places, what it leaves to the statement-by-statement path, and that waiting orders share one.
@Suite(.enabled(if: TestDatabase.isPostgres, "runs on PostgreSQL only: set DATABASE_URL=postgres://… (CI does)"))
struct OrderBatchTests {
    @Test func oneStatementPlacesTheOrdersThatFollowTheRulesAndChangesNothingForTheOthers() async throws {
        try await withStoreAndProducts(quantities: [5, 5, 1, 5, 5, 5, 5]) { store, services, user, products in
            let price = Money(cents: 100)
            func order(_ lines: [(Int, Int64)], user: Int64 = user.id, total: Money? = nil) -> OrderToPlace {
                var request = PlaceOrderRequest(userID: user, lines: lines.map {
                    OrderLineRequest(productID: $0.0 < products.count ? products[$0.0].id : 999_999, quantity: $0.1)
                })
                request.expectedTotal = total
                return OrderToPlace(request: request, date: "2026-11-26")
            }
            let orders = [
                order([(0, 2), (1, 1)]),                 // placed
                order([(0, 1)]),                         // shares a product with the first: left out
                order([(2, 2)]),                         // more than the stock
                order([(3, 1)], total: Money(cents: 1)), // a wrong total
                order([(4, 1)], user: user.id + 1000),   // no such user
                order([(7, 1)]),                         // no such product
                order([(5, 3)], total: price * 3),       // placed, its total checked
                order([(6, 1), (6, 1)]),                 // a product named twice
            ]
            let now = Date()
            let placed = try await store.oneStatementWrite { try await $0.placeOrdersInOneStatement(orders, at: now) }

            #expect(placed.keys.sorted() == [0, 6])
            let first = try #require(placed[0]), last = try #require(placed[6])
            #expect(first.orderID < last.orderID, "ids ascend as the orders came")
            #expect(first.lines.map(\.productID) == [products[0].id, products[1].id])
            #expect(first.lines.map(\.quantity) == [2, 1] && first.lines.allSatisfy { $0.unitPrice == price })
            for (index, (orderID, lines)) in placed {
                let stored = try await services.orders.get(id: orderID)
                #expect(stored.lines == lines && stored.userID == user.id && stored.date == "2026-11-26")
                #expect(stored.totalPrice == lines.reduce(Money.zero) { $0 + $1.lineTotal }, "order \(index)")
            }
            let stock = try await products.asyncMap { try await services.products.get(id: $0.id).quantity }
            #expect(stock == [3, 4, 1, 5, 5, 2, 5])
            for (product, taken) in [(products[0], Int64(2)), (products[1], 1), (products[5], 3)] {
                let moves = try await services.products.stockMovements(id: product.id, PageRequest(limit: 10)).items
                #expect(moves.map(\.delta) == [product.quantity, -taken])
                #expect(moves.last?.quantityAfter == product.quantity - taken)
            }
            #expect(try await services.orders.list(OrderFilter(), PageRequest(limit: 10)).items.count == 2)
        }
    }

    /// Orders that arrive while a placement runs wait for the next one, which takes them all at once
    /// (one statement, so one time of placement) — except one sharing a product, which goes after.
    @Test func ordersArrivingWhileOneIsPlacedArePlacedTogether() async throws {
        try await withStoreAndProducts(quantities: [9, 9, 9, 9, 9]) { store, services, user, products in
            let batcher = OrderService.placedTogether(store, now: Date.init, maxRunning: 1)
            func place(_ product: Product) -> Task<Order?, any Error> {
                let request = PlaceOrderRequest(userID: user.id, lines: [OrderLineRequest(productID: product.id, quantity: 1)])
                return Task { try await batcher.submit((request, PlacementToken.random())) }
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
            try await eventually { batcher.waitingCount == 3 }
            let sharing = place(products[1])
            try await eventually { batcher.waitingCount == 4 }
            releaseLock.yield()
            try await holder.value

            let firstOrder = try #require(try await first.value)
            let together = try await others.asyncMap { try #require(try await $0.value) }
            let after = try #require(try await sharing.value)
            #expect(Set(together.map(\.createdAt)).count == 1, "one placement for the three")
            #expect(!together.map(\.createdAt).contains(firstOrder.createdAt))
            #expect(!together.map(\.createdAt).contains(after.createdAt))
            #expect(try await services.products.get(id: products[1].id).quantity == 7)
        }
    }

    /// The connection is lost after PostgreSQL committed a batch and before its reply arrived: the
    /// order is found by its placement token, not placed a second time.
    @Test func anOrderWhoseBatchReplyWasLostIsPlacedOnce() async throws {
        try await withStoreAndProducts(quantities: [9]) { store, services, user, products in
            let orders = OrderService(store: ReplyLosingStore(base: store), now: Date.init)
            let request = PlaceOrderRequest(userID: user.id, lines: [OrderLineRequest(productID: products[0].id, quantity: 2)])

            let order = try await orders.place(request)

            let stored = try await services.orders.list(OrderFilter(), PageRequest(limit: 10)).items
            #expect(stored.map(\.id) == [order.id])
            #expect(try await services.products.get(id: products[0].id).quantity == 7)
            let moves = try await services.products.stockMovements(id: products[0].id, PageRequest(limit: 10)).items
            #expect(moves.map(\.delta) == [9, -2])
        }
    }

    /// A migrated PostgreSQL store with one user and products priced 1.00 in the given quantities.
    private func withStoreAndProducts(
        quantities: [Int64], _ body: @Sendable (any OneStatementStore, Services, User, [Product]) async throws -> Void
    ) async throws {
        try await withTestDatabase { database in
            try await runMigrations(database.config, revert: false, all: false)
            try await database.config.database.withStore(logger: Logger(label: "test")) { store in
                let services = try await Services(store: store, hasher: PasswordHasher(cost: 4))
                let user = try await services.users.create(UserFields(name: "A", email: "a@example.com", phone: "5551234567"))
                var products: [Product] = []
                for (index, quantity) in quantities.enumerated() {
                    products.append(try await services.products.create(try ProductDraft(body: .object([
                        "name": .string("P\(index)"), "price": .number(1), "quantity": .number(JSONNumber(Int64(quantity))),
                    ]))))
                }
                try await body(try #require(store as? any OneStatementStore), services, user, products)
            }
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

/// A PostgreSQL store whose one-statement writes commit and then fail as if the connection had
/// dropped before the reply: what a client sees when PostgreSQL committed and the network did not.
private final class ReplyLosingStore: OneStatementStore {
    let base: any OneStatementStore
    let isEmbedded = false
    let tokenChanges: TokenChangeSignal? = nil

    init(base: any OneStatementStore) {
        self.base = base
    }

    func run() async throws {}

    func read<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        try await base.read(work)
    }

    func transaction<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        try await base.transaction(work)
    }

    func oneStatementWrite<T: Sendable>(_ work: @escaping @Sendable (StoreSession) async throws -> T) async throws -> T {
        _ = try await base.oneStatementWrite(work)
        throw AppError.unavailable("The database is unavailable; please retry.")
    }
}
