@testable import App
import Testing

@Suite struct MigrationTests {
    @Test func migratingTwiceAppliesNothingTheSecondTime() async throws {
        try await withTestDatabase { database in
            let first = try await runMigrations(database.config, revert: false, all: false)
            #expect(first == ["create_users", "create_accounts", "create_products", "create_orders", "create_stock_movements", "create_idempotency_keys",
                              "add_authentication", "add_product_name_search", "fold_identities", "add_order_placement_tokens", "add_order_lifecycle",
                              "add_stripe_payments", "add_webhooks", "fold_product_names_for_search"])
            #expect(try await runMigrations(database.config, revert: false, all: false).isEmpty)
        }
    }

    @Test func revertUndoesTheLatestOrAllAndMigrateRestores() async throws {
        try await withTestDatabase { database in
            try await runMigrations(database.config, revert: false, all: false)
            #expect(try await runMigrations(database.config, revert: true, all: false) == ["fold_product_names_for_search"])
            #expect(try await runMigrations(database.config, revert: true, all: true)
                == ["add_webhooks", "add_stripe_payments", "add_order_lifecycle", "add_order_placement_tokens", "fold_identities", "add_product_name_search", "add_authentication", "create_idempotency_keys", "create_stock_movements",
                    "create_orders", "create_products", "create_accounts", "create_users"])
            #expect(try await runMigrations(database.config, revert: false, all: false).count == Migrations.all.count)
        }
    }

    /// Instances starting together (here: three stores on one database) apply each migration once.
    @Test func concurrentMigratorsApplyEachMigrationOnce() async throws {
        try await withTestDatabase { database in
            let results = try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<3 {
                    group.addTask { try await runMigrations(database.config, revert: false, all: false) }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(results.sorted()
                == ["add_authentication", "add_order_lifecycle", "add_order_placement_tokens", "add_product_name_search", "create_accounts", "create_idempotency_keys",
                    "create_orders", "create_products", "create_stock_movements", "create_users", "fold_identities", "add_stripe_payments", "add_webhooks",
                    "fold_product_names_for_search"].sorted())
        }
    }
}
