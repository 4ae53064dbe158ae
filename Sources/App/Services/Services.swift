import Foundation

/// Every service of the application, sharing one store and one clock.
public struct Services: Sendable {
    public let users: UserService
    public let accounts: AccountService
    public let products: ProductService
    public let orders: OrderService

    public init(store: any Store, hasher: PasswordHasher, now: @escaping @Sendable () -> Date = Date.init) {
        users = UserService(store: store, now: now)
        accounts = AccountService(store: store, hasher: hasher, now: now)
        products = ProductService(store: store, now: now)
        orders = OrderService(store: store, now: now)
    }
}
