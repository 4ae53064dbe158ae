@testable import App
@testable import JSONSupport
import Logging

/// A migrated store of the suite's database with its shop, one user, and products priced 1.00 in the
/// given quantities: for tests of the services, below HTTP.
func withStoreAndProducts(
    quantities: [Int64], _ body: @Sendable (any Store, Shop, User, [Product]) async throws -> Void
) async throws {
    try await withTestDatabase { database in
        try await runMigrations(database.config, revert: false, all: false)
        try await database.config.database.withStore(logger: Logger(label: "test")) { store in
            let shop = try await Shop(store: store, hasher: PasswordHasher(cost: 4))
            let user = try await shop.users.create(UserFields(name: "A", email: "a@example.com", phone: "5551234567"))
            var products: [Product] = []
            for (index, quantity) in quantities.enumerated() {
                products.append(try await shop.products.create(try ProductDraft(body: .object([
                    "name": .string("P\(index)"), "price": .number(1), "quantity": .number(JSONNumber(Int64(quantity))),
                ]))))
            }
            try await body(store, shop, user, products)
        }
    }
}
