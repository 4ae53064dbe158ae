import Foundation

/// Every service of the application, sharing one store and one clock.
public struct Services: Sendable {
    public let users: UserService
    public let accounts: AccountService
    public let products: ProductService
    public let orders: OrderService
    public let auth: AuthService

    /// Makes one Bcrypt hash (the dummy that unknown usernames are checked against), so it is async.
    public init(
        store: any Store, hasher: PasswordHasher, tokenLifetime: Duration = .seconds(86_400),
        now: @escaping @Sendable () -> Date = Date.init
    ) async throws {
        // Shared by the services whose changes can end tokens, which forget it all when they commit one.
        let callers = store.isEmbedded ? CallerCache(changes: store.tokenChanges) : nil
        users = UserService(store: store, callers: callers, now: now)
        accounts = AccountService(store: store, hasher: hasher, callers: callers, now: now)
        products = ProductService(store: store, now: now)
        orders = OrderService(store: store, now: now)
        auth = AuthService(store: store, hasher: hasher, tokenLifetime: tokenLifetime, callers: callers,
                           lookups: callers == nil ? AuthService.sharedLookups(store, now: now) : nil, now: now,
                           dummyHash: try await hasher.hash("no such user, no such password"))
    }
}
