@testable import App
import Foundation
import Logging
import NIOConcurrencyHelpers
import Testing
import TestSupport

/// `Store.product(id:)`: what each store answers, and how a shared database's store reads products
/// asked together (`SharedProductReads`).
@Suite struct ProductReadTests {
    /// Many reads at once, of live, deleted and missing products, on the suite's database: each gets
    /// what a statement of its own reads (`StoreSession.product(id:)`) after a change committed before.
    @Test func readsAtOnceEachGetWhatAReadOfItsOwnGets() async throws {
        try await withStoreAndProducts(quantities: [1, 2, 3, 4]) { store, shop, _, products in
            try await shop.products.delete(id: products[1].id)
            _ = try await shop.products.update(id: products[2].id, quantity: 30) { $0.name = "Renamed" }
            let ids = products.map(\.id) + [products[3].id + 1_000]
            var expected: [Int64: Product?] = [:]
            for id in ids { expected[id] = try await store.read { try await $0.product(id: id) } }
            #expect(expected.values.compactMap { $0 }.map(\.name).sorted() == ["P0", "P3", "Renamed"])

            let asked = (0..<96).map { ids[$0 % ids.count] }
            let answers = try await withThrowingTaskGroup(of: (Int64, Product?).self) { group in
                for id in asked { group.addTask { (id, try await store.product(id: id)) } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers.count == asked.count)
            for (id, product) in answers { #expect(product == expected[id], "product \(id)") }
        }
    }

    /// Reads waiting while a query is under way are answered together by the next query, which is
    /// sent after they arrived: none is answered by the query under way when it was asked.
    @Test func readsAskedWhileAQueryRunsShareTheNextQuery() async throws {
        let queries = NIOLockedValueBox<[[Int64]]>([])
        let (release, releaseFirstQuery) = AsyncStream<Void>.makeStream()
        let reads = SharedProductReads(maxRunning: 1) { ids in
            let query = queries.withLockedValue { $0.append(ids.sorted()); return $0.count }
            if query == 1 { for await _ in release { break } }
            return Dictionary(uniqueKeysWithValues: ids.filter { $0 != 404 }.map { ($0, Self.product($0, quantity: Int64(query))) })
        }
        let first = Task { try await reads.product(id: 1) }
        try await eventually("the first query to start") { queries.withLockedValue(\.count) == 1 }
        let waiting = [1, 2, 2, 404].map { id in Task { try await reads.product(id: Int64(id)) } }
        try await eventually("the reads to wait") { reads.waitingCount == waiting.count }
        releaseFirstQuery.yield()

        #expect(try await first.value == Self.product(1, quantity: 1))
        var answers: [Product?] = []
        for task in waiting { answers.append(try await task.value) }
        #expect(answers == [Self.product(1, quantity: 2), Self.product(2, quantity: 2), Self.product(2, quantity: 2), nil])
        #expect(queries.withLockedValue { $0 } == [[1], [1, 2, 404]], "one query for the waiting reads, each id once")
    }

    /// On PostgreSQL long reads (searches, filtered lists) have connections of their own: while every
    /// one is taken, another long read waits its turn, and other reads go on.
    @Test(.enabled(if: TestDatabase.isPostgres)) func longReadsWaitForTheirOwnConnectionsOnly() async throws {
        try await withTestDatabase { database in
            guard case .postgres(var settings) = database.config.database else { return }
            settings.longReadPoolSize = 1
            let store = PostgresStore(settings: settings, logger: Logger(label: "tests"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await store.run() }
                defer { group.cancelAll() }
                let started = NIOLockedValueBox(0)
                let (release, releaseFirst) = AsyncStream<Void>.makeStream()
                let first = Task {
                    try await store.longRead { _ in
                        started.withLockedValue { $0 += 1 }
                        for await _ in release { break }
                        return 1
                    }
                }
                try await eventually("the first long read to start") { started.withLockedValue { $0 } == 1 }
                let second = Task { try await store.longRead { _ in started.withLockedValue { $0 += 1 }; return 2 } }

                let one = try await store.read { try await $0.sql.raw("SELECT 1 AS one").first()?.decode(column: "one", as: Int.self) }
                #expect(one == 1, "a read goes on while long reads hold their connections")
                try await Task.sleep(for: .milliseconds(300))
                #expect(started.withLockedValue { $0 } == 1, "the second long read waits for the first's connection")
                releaseFirst.yield()
                #expect(try await first.value == 1)
                #expect(try await second.value == 2)
            }
        }
    }

    private static func product(_ id: Int64, quantity: Int64) -> Product {
        Product(id: id, name: "P\(id)", description: nil, sku: nil, price: Money(cents: 100), quantity: quantity,
                createdAt: Date(timeIntervalSince1970: 0), updatedAt: Date(timeIntervalSince1970: 0))
    }
}
