@testable import App
import Foundation
import SQLKit

/// The users and products every placement implementation starts from, created in the same order so
/// that their ids agree, and the orders placed against them named by role rather than by id.
struct PlacementFixture: Sendable {
    /// Stock and price (cents) of the live products, by index: none, one, a few, some, plenty, the
    /// dearest price, the most stock a product may hold, a few more, and a free one (an order of
    /// nothing but free products is paid as placed).
    static let stocks: [Int64] = [0, 1, 3, 10, 10_000, 25_000, Product.maximumStock, 5, 5_000]
    static let prices: [Int64] = [100, 50, 99_999, 1, 12_345, 100_000_000_000, 7, 250, 0]
    static let deletedProductPrices: [Int64] = [300, 400]
    static let unknownID: Int64 = 999_999

    let time = Date(timeIntervalSince1970: 1_796_000_000)
    let products: [Product]
    let deletedProductIDs: [Int64]
    let userIDs: [ShopOrder.UserRef: Int64]

    static func make(in store: any Store) async throws -> PlacementFixture {
        let time = Date(timeIntervalSince1970: 1_795_000_000)
        return try await store.transaction { session in
            var userIDs: [ShopOrder.UserRef: Int64] = [:]
            for (role, name) in [(ShopOrder.UserRef.first, "first"), (.second, "second"), (.deleted, "deleted")] {
                let fields = UserFields(name: name, email: "\(name)@example.com", phone: "5551234567")
                userIDs[role] = try await session.insertUser(fields, at: time).id
            }
            userIDs[.unknown] = unknownID
            _ = try await session.deleteUser(id: userIDs[.deleted] ?? 0)
            var products: [Product] = []
            for (index, (stock, price)) in zip(stocks, prices).enumerated() {
                products.append(try await insert("P\(index)", price: price, stock: stock, in: session, at: time))
            }
            var deleted: [Int64] = []
            for (index, price) in deletedProductPrices.enumerated() {
                let product = try await insert("D\(index)", price: price, stock: 5, in: session, at: time)
                _ = try await session.deleteProduct(id: product.id, at: time)
                deleted.append(product.id)
            }
            return PlacementFixture(products: products, deletedProductIDs: deleted, userIDs: userIDs)
        }
    }

    private static func insert(_ name: String, price: Int64, stock: Int64, in session: StoreSession, at time: Date) async throws -> Product {
        let fields = ProductFields(name: name, description: nil, sku: nil, price: Money(cents: price))
        let product = try await session.insertProduct(fields, quantity: stock, at: time)
        try await Inventory.recordInitial(product, in: session)
        return product
    }

    func id(of product: ShopOrder.ProductRef) -> Int64 {
        switch product {
        case .live(let index): products[index].id
        case .deleted(let index): deletedProductIDs[index]
        case .unknown: Self.unknownID
        }
    }

    private func price(of product: ShopOrder.ProductRef) -> Int64 {
        switch product {
        case .live(let index): Self.prices[index]
        case .deleted(let index): Self.deletedProductPrices[index]
        case .unknown: 0
        }
    }

    /// What the order's lines cost at the products' prices.
    func rightTotal(of order: ShopOrder) -> Money {
        Money(cents: order.lines.reduce(0) { $0 + price(of: $1.product) * $1.quantity })
    }

    func toPlace(_ order: ShopOrder) -> OrderToPlace {
        var request = PlaceOrderRequest(userID: userIDs[order.user] ?? Self.unknownID, lines: order.lines.map {
            OrderLineRequest(productID: id(of: $0.product), quantity: $0.quantity)
        })
        switch order.total {
        case .none: break
        case .right: request.expectedTotal = rightTotal(of: order)
        case .wrong: request.expectedTotal = Money(cents: rightTotal(of: order).cents + 1)
        }
        request.date = order.date
        return OrderToPlace(request: request, placedAt: time)
    }

    func stock(in store: any Store) async throws -> [Int64] {
        try await store.read { session in
            try await session.sql.raw("SELECT quantity FROM products WHERE deleted_at IS NULL ORDER BY id").all().map { try $0.int("quantity") }
        }
    }

    struct LedgerEntry: Sendable, Equatable {
        var productID: Int64
        var delta: Int64
        var quantityAfter: Int64
        var kind: String
        var orderID: Int64?
    }

    /// Every stock movement, product by product, in the order they were made.
    func ledger(in store: any Store) async throws -> [LedgerEntry] {
        try await store.read { session in
            try await session.sql.raw("""
                SELECT product_id, delta, quantity_after, kind, order_id FROM stock_movements ORDER BY product_id, id
                """).all().map { row in
                LedgerEntry(productID: try row.int("product_id"), delta: try row.int("delta"),
                            quantityAfter: try row.int("quantity_after"), kind: try row.string("kind"),
                            orderID: try row.decodeNil(column: "order_id") ? nil : row.int("order_id"))
            }
        }
    }

    /// What placing came to, with order ids replaced by the position of the order that got each
    /// (implementations may draw ids in another order when they decide orders in parallel).
    func observe(_ outcomes: [PlacementOutcome], in store: any Store) async throws -> Observation {
        var positions: [Int64: Int] = [:]
        for (position, outcome) in outcomes.enumerated() {
            if case .success(let order) = outcome { positions[order.id] = position }
        }
        let placedPositions = positions
        @Sendable func position(_ id: Int64?) -> String {
            id.map { placedPositions[$0].map(String.init) ?? "unknown order \($0)" } ?? "-"
        }
        let described = outcomes.map { outcome in
            switch outcome {
            case .success(var order):
                order.id = 0
                return "\(order)"
            case .failure(let refusal):
                return "\(refusal)"
            }
        }
        let stored = try await store.read { session in
            let orders = try await session.sql.raw("""
                SELECT id, user_id, date, status, total_cents, payment_status, fulfillment_status FROM orders
                """).all()
            let lines = try await session.sql.raw("""
                SELECT order_id, position, product_id, name, quantity, unit_price_cents FROM order_items
                """).all()
            var linesByOrder: [Int64: [String]] = [:]
            for line in try lines.sorted(by: { try ($0.int("order_id"), $0.int("position")) < ($1.int("order_id"), $1.int("position")) }) {
                linesByOrder[try line.int("order_id"), default: []].append(
                    "\(try line.int("product_id"))×\(try line.int("quantity"))@\(try line.int("unit_price_cents")) \(try line.string("name"))")
            }
            return try orders.map { row in
                let id = try row.int("id")
                return "order of \(position(id)): user \(try row.int("user_id")) on \(try row.string("date")), "
                    + "\(try row.string("status")), \(try row.int("total_cents")) \(try row.string("payment_status")) "
                    + "\(try row.string("fulfillment_status")): \(linesByOrder[id, default: []])"
            }.sorted()
        }
        let ledger = try await ledger(in: store).map {
            "\($0.productID) \($0.delta) → \($0.quantityAfter) \($0.kind) \(position($0.orderID))"
        }
        return Observation(outcomes: described, orders: stored, stock: try await stock(in: store), ledger: ledger)
    }
}

/// What a run of placements left behind, comparable across implementations.
struct Observation: Equatable {
    var outcomes: [String]
    var orders: [String]
    var stock: [Int64]
    var ledger: [String]

    var placedCount: Int { orders.count }
    var refusedCount: Int { outcomes.count - orders.count }
}

/// An order named by roles: which user, which products (live ones by index into `PlacementFixture.stocks`).
struct ShopOrder: Sendable {
    enum UserRef: Hashable, Sendable { case first, second, deleted, unknown }
    enum ProductRef: Hashable, Sendable { case live(Int), deleted(Int), unknown }
    enum TotalRef: Sendable { case none, right, wrong }

    var user: UserRef
    var lines: [(product: ProductRef, quantity: Int64)]
    var total: TotalRef = .none
    var date: String?
}

extension PlacementFixture {
    /// The rules one at a time, in this sequence from the fresh fixture, with the refusal each must get
    /// (nil: placed).
    var table: [(String, ShopOrder, PlacementRefusal?)] {
        let ids = products.map(\.id)
        let wrongTotal = { (order: ShopOrder) in Money(cents: self.rightTotal(of: order).cents + 1) }
        let wrongOne = ShopOrder(user: .first, lines: [(.live(4), 1)], total: .wrong)
        let wrongForNobody = ShopOrder(user: .unknown, lines: [(.live(3), 1)], total: .wrong)
        return [
            ("within the stock", ShopOrder(user: .first, lines: [(.live(3), 2)], date: "2026-02-28"), nil),
            ("exactly the stock left", ShopOrder(user: .second, lines: [(.live(2), 3)]), nil),
            ("one more than the stock", ShopOrder(user: .first, lines: [(.live(1), 2)]), .outOfStock([ids[1]])),
            ("no stock at all", ShopOrder(user: .first, lines: [(.live(0), 1)]), .outOfStock([ids[0]])),
            ("a deleted product", ShopOrder(user: .first, lines: [(.deleted(0), 1)]), .unknownProducts([deletedProductIDs[0]])),
            ("an unknown product", ShopOrder(user: .first, lines: [(.unknown, 1), (.live(3), 1)]), .unknownProducts([Self.unknownID])),
            ("unknown before short", ShopOrder(user: .first, lines: [(.live(1), 5), (.unknown, 1)]), .unknownProducts([Self.unknownID])),
            ("a product named twice", ShopOrder(user: .first, lines: [(.live(3), 1), (.live(4), 1), (.live(3), 2)]),
             .repeatedProducts([ids[3]])),
            ("the right total", ShopOrder(user: .first, lines: [(.live(4), 2), (.live(7), 1)], total: .right), nil),
            ("a wrong total", wrongOne, .totalMismatch(expected: wrongTotal(wrongOne), computed: rightTotal(of: wrongOne))),
            ("short before a wrong total", ShopOrder(user: .first, lines: [(.live(7), 9)], total: .wrong), .outOfStock([ids[7]])),
            ("a deleted user", ShopOrder(user: .deleted, lines: [(.live(3), 1)]), .unknownUser(userIDs[.deleted] ?? 0)),
            ("a wrong total before an unknown user", wrongForNobody,
             .totalMismatch(expected: wrongTotal(wrongForNobody), computed: rightTotal(of: wrongForNobody))),
            ("the largest quantity", ShopOrder(user: .second, lines: [(.live(6), 10_000)]), nil),
            ("the dearest line", ShopOrder(user: .second, lines: [(.live(5), 10_000)], total: .right), nil),
            ("short products named in ascending order", ShopOrder(user: .first, lines: [(.live(7), 50), (.live(1), 2)]),
             .outOfStock([ids[1], ids[7]])),
            ("all lines or none", ShopOrder(user: .first, lines: [(.live(3), 1), (.live(0), 1)]), .outOfStock([ids[0]])),
        ]
    }

    /// The live products' stock once the table has run.
    var stockAfterTable: [Int64] { [0, 1, 0, 8, 9_998, 15_000, Product.maximumStock - 10_000, 4, 5_000] }

    func refusal(_ outcome: PlacementOutcome) -> PlacementRefusal? {
        if case .failure(let refusal) = outcome { refusal } else { nil }
    }
}

/// The seeded stream of random orders, in the lists they are sent in.
struct OrderStream: Sendable {
    let lists: [[ShopOrder]]

    static func make(count: Int, using generator: inout SeededRandom) -> OrderStream {
        var lists: [[ShopOrder]] = []
        var made = 0
        while made < count {
            let size = min(Int.random(in: 1...16, using: &generator), count - made)
            lists.append((0..<size).map { _ in randomOrder(using: &generator) })
            made += size
        }
        return OrderStream(lists: lists)
    }

    private static func randomOrder(using generator: inout SeededRandom) -> ShopOrder {
        func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &generator) < probability }
        let user: ShopOrder.UserRef = chance(0.95) ? (chance(0.5) ? .first : .second) : (chance(0.5) ? .deleted : .unknown)
        var lines: [(product: ShopOrder.ProductRef, quantity: Int64)] = []
        for _ in 0..<Int.random(in: 1...3, using: &generator) {
            // Mostly the products with plenty of stock, so that most orders can be placed all through.
            let live = chance(0.7) ? Int.random(in: 4...6, using: &generator) : Int.random(in: 0..<PlacementFixture.stocks.count, using: &generator)
            let product: ShopOrder.ProductRef = chance(0.93) ? .live(live)
                : chance(0.6) ? .deleted(Int.random(in: 0..<PlacementFixture.deletedProductPrices.count, using: &generator)) : .unknown
            let quantity: Int64 = chance(0.4) ? 1 : chance(0.8) ? Int64.random(in: 2...5, using: &generator)
                : chance(0.15) ? OrderRules.lineQuantity.upperBound : Int64.random(in: 6...100, using: &generator)
            if chance(0.97), lines.contains(where: { $0.product == product }) { continue }
            lines.append((product, quantity))
        }
        let total: ShopOrder.TotalRef = chance(0.6) ? .none : chance(0.85) ? .right : .wrong
        return ShopOrder(user: user, lines: lines, total: total, date: chance(0.2) ? "2026-12-24" : nil)
    }
}
