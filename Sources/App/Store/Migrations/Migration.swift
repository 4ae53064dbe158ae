import SQLKit

/// One step of the schema. Migrations are append-only: once shipped, one is never edited; a change
/// is a new migration at the end of `Migrations.all`.
protocol Migration: Sendable {
    /// A short name, recorded in `schema_migrations`.
    var name: String { get }
    func prepare(on database: any SQLDatabase) async throws
    func revert(on database: any SQLDatabase) async throws
}

enum Migrations {
    /// Every migration in order; a migration's version is its position, counting from 1.
    static let all: [any Migration] = [
        CreateUsers(),  // 1: people, with e-mail unique ignoring case
        CreateAccounts(),  // 2: sign-in identities, one per user, passwords only as Bcrypt hashes
        CreateProducts(),  // 3: catalogue and stock; prices in cents, soft deletion keeps order history
        CreateOrders(),  // 4: orders with line snapshots of name and price
        CreateStockMovements(),  // 5: a ledger of every stock change, so stock can always be accounted for
        CreateIdempotencyKeys(),  // 6: remembered order placements, so a client retry never orders twice
        AddAuthentication(),  // 7: roles, bearer tokens (hashed) and failed sign-ins for throttling
        AddProductNameSearch(),  // 8: a trigram index for searching product names
        FoldIdentities(),  // 9: emails and usernames in NFC, unique by their Unicode case-folded keys
        AddOrderPlacementTokens(),  // 10: orders found by a token when a batch's reply was lost, never placed twice
        AddOrderLifecycle(),  // 11: payments, refunds and fulfilments, with each order's amounts and statuses
        AddStripePayments(),  // 12: PaymentIntents paid, refunds asked of Stripe, Stripe events applied
        AddWebhooks(),  // 13: webhook endpoints, the outbox of events, and their deliveries
        FoldProductNamesForSearch(),  // 14: product names in lower case for searching on PostgreSQL
    ]
}
