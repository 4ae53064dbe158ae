import Foundation
import Hummingbird
import Logging

/// Builds the whole application from its configuration; used by the executable and by the tests.
public func buildApplication(_ config: AppConfig) async throws -> some ApplicationProtocol {
    let logger = makeLogger(config)
    let store = try await config.database.openStore(logger: logger)
    let services = Services(store: store, hasher: PasswordHasher(cost: config.bcryptCost))
    var app = Application(
        router: buildRouter(services, config: config),
        configuration: .init(address: .hostname(config.hostname, port: config.port), serverName: "ecommerce"),
        logger: logger
    )
    app.addServices(store, IdempotencyKeyExpiry(store: store, now: Date.init))
    app.beforeServerStarts {
        try await Migrator(store: store, logger: logger).migrate()
    }
    return app
}

func buildRouter(_ services: Services, config: AppConfig) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    // Middleware first: it wraps only the routes added after it.
    router.add(middleware: ErrorMiddleware())
    RootController().addRoutes(to: router)
    UsersController(users: services.users, maxBodySize: config.maxBodySize).addRoutes(to: router)
    AccountsController(accounts: services.accounts, maxBodySize: config.maxBodySize).addRoutes(to: router)
    ProductsController(products: services.products, maxBodySize: config.maxBodySize).addRoutes(to: router)
    OrdersController(orders: services.orders, maxBodySize: config.maxBodySize).addRoutes(to: router)
    return router
}

/// `ecommerce migrate`: applies pending migrations, or reverts the latest (or all) with `revert`.
@discardableResult
public func runMigrations(_ config: AppConfig, revert: Bool, all: Bool) async throws -> [String] {
    let logger = makeLogger(config)
    return try await config.database.withStore(logger: logger) { store in
        let migrator = Migrator(store: store, logger: logger)
        return revert ? try await migrator.revert(all: all) : try await migrator.migrate()
    }
}

private func makeLogger(_ config: AppConfig) -> Logger {
    var logger = Logger(label: "ecommerce")
    logger.logLevel = config.logLevel
    return logger
}
