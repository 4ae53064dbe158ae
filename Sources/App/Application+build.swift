import JSONSupport
import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle
import Stripe

/// Builds the whole application from its configuration; used by the executable and by the tests.
/// `logger` replaces the one made from the configuration (tests capture logs with it), and `now` the
/// clock (tests move time forward to expire tokens).
public func buildApplication(
    _ config: AppConfig, logger: Logger? = nil, now: @escaping @Sendable () -> Date = Date.init
) async throws -> some ApplicationProtocol {
    AppMetrics.bootstrapOnce()
    let logger = logger ?? makeLogger(config)
    let store = try await config.database.openStore(logger: logger)
    let outbound = OutboundHTTP(logger: logger)
    let migrated = StartSignal()
    let shop = try await Shop(
        store: store, hasher: PasswordHasher(cost: config.bcryptCost, checks: config.passwordChecks),
        tokenLifetime: config.tokenLifetime, currency: config.currency, lowStockThreshold: config.lowStockThreshold,
        stripe: config.stripe.secretKey.map { StripeAPI(secretKey: $0, base: config.stripe.apiBase, client: outbound.client) },
        stripeWebhookSecret: config.stripe.webhookSecret, webhookSettings: config.webhooks, now: now
    )
    let router = try buildRouter(shop, store: store, config: config, now: now)
    let server = HTTPServerBuilder.guardedHTTP1(idleTimeout: config.idleTimeout, requestReadTimeout: config.requestReadTimeout)
    var app = Application(
        router: router,
        server: server,
        configuration: .init(address: .hostname(config.hostname, port: config.port), serverName: "ecommerce"),
        logger: logger
    )
    app.addServices(store, outbound, IdempotencyKeyExpiry(store: store, now: now), SignInRecordExpiry(store: store, now: now),
                    WebhookHistoryExpiry(store: store, now: now),
                    WebhookDispatcher(store: store, client: outbound.client, settings: config.webhooks, currency: config.currency,
                                      now: now, logger: logger, migrated: migrated))
    if let metricsPort = config.metricsPort {
        let metricsRouter = Router()
        MetricsController(registry: AppMetrics.registry, token: config.metricsToken).addRoutes(to: metricsRouter)
        app.addServices(Application(
            router: metricsRouter,
            server: server,
            configuration: .init(address: .hostname(config.hostname, port: metricsPort), serverName: "ecommerce-metrics"),
            logger: logger
        ))
    }
    app.beforeServerStarts {
        try await Migrator(store: store, logger: logger).migrate()
        await migrated.open()
        if let admin = config.initialAdmin {
            try await shop.auth.createInitialAdmin(username: admin.username, password: admin.password)
        }
    }
    return app
}

func buildRouter(
    _ shop: Shop, store: any Store, config: AppConfig, now: @escaping @Sendable () -> Date = Date.init
) throws -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
    // Middleware first: it wraps only the routes added after it. The error middleware is innermost,
    // so the log line, the metrics and the request id all see the final status of every request.
    router.add(middleware: RequestIDMiddleware())
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: MetricsMiddleware())
    if !config.corsAllowedOrigins.isEmpty {
        router.add(middleware: AllowedOriginsCORSMiddleware(allowedOrigins: config.corsAllowedOrigins))
    }
    let addresses = ClientAddresses(trustedProxies: config.trustedProxies)
    let consolePages = try ConsolePages(currency: config.currency,
                                        cookies: ConsoleCookies(alwaysSecure: config.cookieSecure, addresses: addresses))
    router.add(middleware: ErrorMiddleware(console: consolePages))
    router.add(middleware: BodySizeLimitMiddleware(maxBodySize: config.maxBodySize))
    router.add(middleware: AuthenticationMiddleware(auth: shop.auth))
    RootController().addRoutes(to: router)
    try DocsController().addRoutes(to: router)
    HealthController(store: store).addRoutes(to: router)
    if config.metricsPort == nil {
        MetricsController(registry: AppMetrics.registry, token: config.metricsToken).addRoutes(to: router)
    }
    // One limit for both ways of signing in, the API's and the console's.
    let signInAttempts = SignInAttempts(
        limiter: config.authRateLimit > 0 ? AttemptLimiter(perMinute: config.authRateLimit, now: now) : nil, addresses: addresses
    )
    AuthController(auth: shop.auth, maxBodySize: config.maxBodySize, attempts: signInAttempts).addRoutes(to: router)
    UsersController(users: shop.users, maxBodySize: config.maxBodySize).addRoutes(to: router)
    AccountsController(accounts: shop.accounts, maxBodySize: config.maxBodySize).addRoutes(to: router)
    ProductsController(products: shop.products, maxBodySize: config.maxBodySize).addRoutes(to: router)
    OrdersController(orders: shop.orders, currency: config.currency, maxBodySize: config.maxBodySize).addRoutes(to: router)
    OrderLifecycleController(orders: shop.orders, lifecycle: shop.lifecycle, maxBodySize: config.maxBodySize).addRoutes(to: router)
    WebhooksController(webhooks: shop.webhooks, allowInsecure: config.webhooks.allowInsecure, maxBodySize: config.maxBodySize)
        .addRoutes(to: router)
    CardPaymentsController(orders: shop.orders, cards: shop.cardPayments, currency: config.currency, maxBodySize: config.maxBodySize)
        .addRoutes(to: router)
    Console(shop: shop, pages: consolePages, attempts: signInAttempts, lowStockThreshold: config.lowStockThreshold,
            maxBodySize: config.maxBodySize).addRoutes(to: router)
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}

/// `ecommerce serve`: runs until SIGTERM or SIGINT, then stops accepting, lets in-flight requests
/// finish within the shutdown timeout, closes the database and returns.
public func runServer(_ config: AppConfig) async throws {
    let app = try await buildApplication(config)
    var configuration = ServiceGroupConfiguration(
        services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: app.logger
    )
    configuration.maximumGracefulShutdownDuration = config.shutdownTimeout
    try await ServiceGroup(configuration: configuration).run()
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

/// `ecommerce create-admin`: migrates if needed, then creates an admin with its user. A taken
/// username or invalid field is a one-line error.
public func createAdmin(
    _ config: AppConfig, username: String, password: String, name: String?, email: String?, phone: String?
) async throws {
    var fields: [String: JSONValue] = ["username": .string(username), "password": .string(password)]
    fields["name"] = .string(name ?? username)
    fields["email"] = .string(email ?? AuthService.placeholderEmail(for: username))
    fields["phone"] = .string(phone ?? AuthService.placeholderPhone)
    let request: RegistrationRequest
    do {
        request = try RegistrationRequest(body: .object(fields))
    } catch {
        throw ConfigError("create-admin: \(error.problemSummary)")
    }
    let logger = makeLogger(config)
    try await config.database.withStore(logger: logger) { store in
        try await Migrator(store: store, logger: logger).migrate()
        let shop = try await Shop(store: store, hasher: PasswordHasher(cost: config.bcryptCost))
        do {
            try await shop.auth.createAdmin(username: request.credentials.username,
                                                password: request.credentials.password, user: request.user)
        } catch let error as AppError {
            throw ConfigError("create-admin: \(error.problemSummary)")
        }
    }
}

/// `ecommerce reset-password`: a new password for an account, ending its tokens at once, also in a
/// running server. An unknown username or a password the rules refuse is a one-line error.
public func resetPassword(_ config: AppConfig, username: String, password: String) async throws {
    if let problem = AccountRules.password(password) { throw ConfigError("reset-password: password \(problem)") }
    try await withAuth(config, command: "reset-password") { try await $0.resetPassword(username: username, password: password) }
}

/// `ecommerce unlock`: forgets an account's failed sign-ins; returns how many there were.
public func unlock(_ config: AppConfig, username: String) async throws -> Int {
    try await withAuth(config, command: "unlock") { try await $0.unlock(username: username) }
}

/// Runs `body` with the sign-in service on the migrated database; its domain errors become one line.
private func withAuth<T: Sendable>(
    _ config: AppConfig, command: String, _ body: @escaping @Sendable (AuthService) async throws -> T
) async throws -> T {
    let logger = makeLogger(config)
    return try await config.database.withStore(logger: logger) { store in
        try await Migrator(store: store, logger: logger).migrate()
        let shop = try await Shop(store: store, hasher: PasswordHasher(cost: config.bcryptCost))
        do {
            return try await body(shop.auth)
        } catch let error as AppError {
            throw ConfigError("\(command): \(error.problemSummary)")
        }
    }
}

/// `ecommerce seed`: migrates if needed, then adds bulk data; `progress` reports (table, done, total).
public func seedDatabase(
    _ config: AppConfig, counts: Seeder.Counts, seed: UInt64, progress: @escaping @Sendable (String, Int, Int) -> Void
) async throws {
    let logger = makeLogger(config)
    try await config.database.withStore(logger: logger) { store in
        try await Migrator(store: store, logger: logger).migrate()
        let shop = try await Shop(store: store, hasher: PasswordHasher(cost: config.bcryptCost))
        try await Seeder(store: store, shop: shop, seed: seed, progress: progress).run(counts)
    }
}

/// The process-wide log format is chosen once, before the first logger is made.
public func bootstrapLogging(_ config: AppConfig) {
    LoggingSystem.bootstrap { [format = config.logFormat] in LineLogHandler(label: $0, format: format) }
}

private func makeLogger(_ config: AppConfig) -> Logger {
    var logger = Logger(label: "ecommerce")
    logger.logLevel = config.logLevel
    return logger
}
