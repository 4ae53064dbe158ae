import Foundation
import Stripe

/// The shop: its business rules for users, accounts, products, orders (placed, paid, shipped, refunded) and sign-in, sharing one store
/// and one clock. (Not a ServiceLifecycle service: the store and the server are those.)
public struct Shop: Sendable {
    public let users: UserService
    public let accounts: AccountService
    public let products: ProductService
    public let orders: OrderService
    public let lifecycle: OrderLifecycleService
    public let cardPayments: CardPaymentService
    public let webhooks: WebhookService
    public let auth: AuthService
    public let overview: OverviewService

    /// Makes one Bcrypt hash (the dummy that unknown usernames are checked against), so it is async.
    public init(
        store: any Store, hasher: PasswordHasher, tokenLifetime: Duration = .seconds(86_400),
        currency: Currency = .standard, lowStockThreshold: Int64 = StockAlert.defaultThreshold,
        stripe: StripeAPI? = nil, stripeWebhookSecret: String? = nil, webhookSettings: WebhookSettings = WebhookSettings(),
        now: @escaping @Sendable () -> Date = Date.init
    ) async throws {
        users = UserService(store: store, now: now)
        accounts = AccountService(store: store, hasher: hasher, now: now)
        products = ProductService(store: store, now: now, lowStockThreshold: lowStockThreshold)
        orders = OrderService(store: store, now: now, currency: currency, lowStockThreshold: lowStockThreshold)
        lifecycle = OrderLifecycleService(store: store, now: now, stripe: stripe, currency: currency)
        webhooks = WebhookService(store: store, settings: webhookSettings, now: now)
        cardPayments = CardPaymentService(store: store, currency: currency, stripe: stripe, webhookSecret: stripeWebhookSecret, now: now)
        overview = OverviewService(store: store, now: now, lowStockThreshold: lowStockThreshold)
        auth = AuthService(store: store, hasher: hasher, tokenLifetime: tokenLifetime, now: now,
                           dummyHash: try await hasher.hash("no such user, no such password"))
    }
}
