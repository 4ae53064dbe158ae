@testable import App
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing
import TestSupport

/// One order-placement contract (`Store.placeOrders`), every implementation of it held to the same
/// outcomes: SQLite's statement-by-statement placement always, and in a run against PostgreSQL its
/// one-statement placement and its statement-by-statement one, or in a run against MySQL its own.
/// A new order rule is added here first: a case in the table, and a kind of order in the stream.
@Suite struct OrderPlacementConformanceTests {
    /// The rules one by one, in a fixed sequence from a fresh fixture, each with the outcome it must have.
    @Test(arguments: PlacementImplementation.available)
    func eachRuleDecidesAsTheTableSays(_ implementation: PlacementImplementation) async throws {
        try await implementation.withFixture { store, fixture in
            var outcomes: [PlacementOutcome] = []
            for (_, order, _) in fixture.table {
                outcomes += try await store.placeOrders([fixture.toPlace(order)], at: fixture.time)
            }
            for ((description, _, expected), outcome) in zip(fixture.table, outcomes) {
                #expect(fixture.refusal(outcome) == expected, "\(description) (\(implementation))")
            }
            #expect(try await fixture.stock(in: store) == fixture.stockAfterTable, "stock after the table (\(implementation))")
        }
    }

    /// A seeded random stream of 2,000 orders, sent in lists of 1 to 16, through every implementation:
    /// outcomes, stored orders, stock and the ledger are identical.
    @Test func aRandomStreamHasTheSameOutcomesEverywhere() async throws {
        var generator = SeededRandom(seed: 20_261_130)
        let stream = OrderStream.make(count: 2_000, using: &generator)
        var observations: [(PlacementImplementation, Observation)] = []
        for implementation in PlacementImplementation.available {
            let observed = NIOLockedValueBox<Observation?>(nil)
            try await implementation.withFixture { store, fixture in
                var outcomes: [PlacementOutcome] = []
                for list in stream.lists {
                    outcomes += try await store.placeOrders(list.map(fixture.toPlace), at: fixture.time)
                }
                let observation = try await fixture.observe(outcomes, in: store)
                observed.withLockedValue { $0 = observation }
            }
            observations.append((implementation, try #require(observed.withLockedValue { $0 })))
        }
        let (reference, expected) = try #require(observations.first)
        #expect(expected.placedCount > 200 && expected.refusedCount > 200, "the stream exercises both: \(expected.placedCount) placed, \(expected.refusedCount) refused")
        for (implementation, observed) in observations.dropFirst() {
            for (index, (seen, wanted)) in zip(observed.outcomes, expected.outcomes).enumerated() where seen != wanted {
                Issue.record("order \(index): \(implementation) says \(seen), \(reference) says \(wanted)")
                break
            }
            #expect(observed == expected, "\(implementation) against \(reference)")
        }
    }

    /// Orders racing for the same products: the stock each had is sold exactly, never more, and the
    /// ledger accounts for every unit — under each implementation.
    @Test(arguments: PlacementImplementation.available)
    func concurrentOrdersSellTheStockExactly(_ implementation: PlacementImplementation) async throws {
        try await implementation.withFixture { store, fixture in
            let (scarce, plenty) = (fixture.products[2], fixture.products[4])  // 3 and 10,000 in stock
            let both = ShopOrder(user: .first, lines: [(.live(2), 1), (.live(4), 1)])
            let plentyOnly = ShopOrder(user: .second, lines: [(.live(4), 2)])
            let orders = Array(repeating: both, count: 12) + Array(repeating: plentyOnly, count: 12)
            let outcomes = try await withThrowingTaskGroup(of: PlacementOutcome.self) { group in
                for order in orders.shuffled() {
                    group.addTask { try await store.placeOrders([fixture.toPlace(order)], at: fixture.time)[0] }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let refusals = outcomes.compactMap { if case .failure(let refusal) = $0 { refusal } else { nil } }
            #expect(outcomes.count - refusals.count == 3 + 12, "\(implementation)")
            #expect(refusals == Array(repeating: .outOfStock([scarce.id]), count: 9), "\(implementation)")
            let stock = try await fixture.stock(in: store)
            #expect(stock[2] == 0 && stock[4] == plenty.quantity - 3 - 24, "\(implementation)")
            let ledger = try await fixture.ledger(in: store)
            for product in [scarce, plenty] {
                let moves = ledger.filter { $0.productID == product.id }
                var level: Int64 = 0
                for move in moves {
                    level += move.delta
                    #expect(move.quantityAfter == level, "each entry's quantity follows from the ones before (\(implementation))")
                }
                #expect(level == stock[fixture.products.firstIndex { $0.id == product.id } ?? 0])
            }
        }
    }
}

/// One implementation of the placement contract, on a store of its own.
struct PlacementImplementation: Sendable, CustomTestStringConvertible, CustomStringConvertible {
    let description: String
    let open: @Sendable (_ body: @Sendable (any Store) async throws -> Void) async throws -> Void

    var testDescription: String { description }

    static var available: [PlacementImplementation] {
        var implementations = [sqlite]
        if TestDatabase.isPostgres { implementations += [postgres(together: true), postgres(together: false)] }
        if TestDatabase.isMySQL { implementations.append(onTestDatabase("MySQL, statement by statement")) }
        return implementations
    }

    static let sqlite = PlacementImplementation(description: "SQLite, statement by statement") { body in
        try await withTemporaryFolder { folder in
            try await withRunningSQLiteStore(at: folder.appendingPathComponent("fixture.sqlite").path) { store in
                _ = try await Migrator(store: store, logger: Logger(label: "tests")).migrate()
                try await body(store)
            }
        }
    }

    static func postgres(together: Bool) -> PlacementImplementation {
        PlacementImplementation(description: together ? "PostgreSQL, one statement" : "PostgreSQL, statement by statement") { body in
            try await withTestDatabase { database in
                guard case .postgres(let settings) = database.config.database else { return }
                let store = PostgresStore(settings: settings, logger: Logger(label: "tests"), placesOrdersTogether: together)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await store.run() }
                    defer { group.cancelAll() }
                    _ = try await Migrator(store: store, logger: Logger(label: "tests")).migrate()
                    try await body(store)
                }
            }
        }
    }

    static func onTestDatabase(_ description: String) -> PlacementImplementation {
        PlacementImplementation(description: description) { body in
            try await withTestDatabase { database in
                try await database.config.database.withStore(logger: Logger(label: "tests")) { store in
                    _ = try await Migrator(store: store, logger: Logger(label: "tests")).migrate()
                    try await body(store)
                }
            }
        }
    }

    /// Runs `body` with a migrated store of this implementation holding `PlacementFixture`'s users and products.
    func withFixture(_ body: @escaping @Sendable (any Store, PlacementFixture) async throws -> Void) async throws {
        try await open { store in try await body(store, try await PlacementFixture.make(in: store)) }
    }
}
