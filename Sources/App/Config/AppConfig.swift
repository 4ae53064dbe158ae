import Foundation
import Logging

/// Everything the service reads from its environment and flags, read once at start-up.
/// A bad value stops start-up with one line naming the variable.
public struct AppConfig: Sendable {
    public var hostname: String
    public var port: Int
    public var database: DatabaseLocation
    public var logLevel: Logger.Level
    public var bcryptCost: UInt8
    /// Request bodies above this many bytes are refused with 413.
    public var maxBodySize: Int
    public var logFormat: LogFormat = .text
    /// Browser origins allowed to call the API; none by default (CORS off).
    public var corsAllowedOrigins: [String] = []
    /// When set, `GET /metrics` needs `Authorization: Bearer <token>`.
    public var metricsToken: String?
    /// When set, `GET /metrics` is served on this port only, not beside the API.
    public var metricsPort: Int?
    /// How long a connection may stay open with no request in progress.
    public var idleTimeout: Duration = .seconds(60)
    /// How long a request's head and body together may take to arrive, from its first byte.
    public var requestReadTimeout: Duration = .seconds(30)
    /// How long in-flight requests may take to finish after SIGTERM or SIGINT.
    public var shutdownTimeout: Duration = .seconds(30)
    /// How long a bearer token stays valid.
    public var tokenLifetime: Duration = .seconds(24 * 3600)
    /// Sign-in and registration attempts per client address per minute (`AUTH_RATE_LIMIT`); 0 is no limit.
    public var authRateLimit = 60
    /// Proxies whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`); none by default.
    public var trustedProxies: [IPRange] = []
    /// Console cookies only over HTTPS (`COOKIE_SECURE`); also when a trusted proxy says HTTPS.
    public var cookieSecure = false
    /// How many password checks run at once and how many more may wait before 503.
    public var passwordChecks = PasswordHasher.standardChecks
    /// The currency of every amount (`SHOP_CURRENCY`).
    public var currency = Currency.standard
    /// Stock that falls below this is news to webhooks (`LOW_STOCK_THRESHOLD`).
    public var lowStockThreshold = StockAlert.defaultThreshold
    /// Outgoing webhooks' retries and address rules (`WEBHOOK_*`).
    public var webhooks = WebhookSettings()
    /// Card payments through Stripe (`STRIPE_SECRET_KEY`, `STRIPE_WEBHOOK_SECRET`, `STRIPE_API_BASE`).
    public var stripe = StripeSettings()
    /// An admin to create at start when it does not exist yet (`ADMIN_USERNAME`, `ADMIN_PASSWORD`).
    public var initialAdmin: (username: String, password: String)?

    public enum LogFormat: String, Sendable {
        case text, json
    }

    public init(
        hostname: String = "127.0.0.1", port: Int = 8080, database: DatabaseLocation = .default,
        logLevel: Logger.Level = .info, bcryptCost: UInt8 = PasswordHasher.defaultCost, maxBodySize: Int = 1 << 20
    ) {
        self.hostname = hostname
        self.port = port
        self.database = database
        self.logLevel = logLevel
        self.bcryptCost = bcryptCost
        self.maxBodySize = maxBodySize
    }

    /// Reads every variable of the README's configuration table; unset variables keep their defaults.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        hostname: String = "127.0.0.1", port: Int = 8080
    ) throws(ConfigError) -> AppConfig {
        var config = AppConfig(hostname: hostname, port: port)
        config.database = try DatabaseLocation(url: environment["DATABASE_URL"])
        switch config.database {
        case .postgres(var settings):
            try readPoolSettings(environment, size: &settings.poolSize, connectTimeout: &settings.connectTimeout)
            settings.longReadPoolSize = try integer(environment, "DATABASE_LONG_READ_POOL_SIZE", in: 1...1000)
                ?? settings.longReadPoolSize
            config.database = .postgres(settings)
        case .mysql(var settings):
            try readPoolSettings(environment, size: &settings.poolSize, connectTimeout: &settings.connectTimeout)
            config.database = .mysql(settings)
        case .sqliteFile, .sqliteInMemory:
            break
        }
        if let level = environment["LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigError("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical; got '\(level)'")
            }
            config.logLevel = parsed
        }
        if let cost = environment["BCRYPT_COST"] {
            guard let parsed = UInt8(cost), (4...31).contains(parsed) else {
                throw ConfigError("BCRYPT_COST must be an integer from 4 to 31; got '\(cost)'")
            }
            config.bcryptCost = parsed
        }
        if let format = environment["LOG_FORMAT"] {
            guard let parsed = LogFormat(rawValue: format.lowercased()) else {
                throw ConfigError("LOG_FORMAT must be text or json; got '\(format)'")
            }
            config.logFormat = parsed
        }
        config.maxBodySize = try integer(environment, "MAX_BODY_SIZE", in: 1024...(1 << 30)) ?? config.maxBodySize
        config.metricsPort = try integer(environment, "METRICS_PORT", in: 1...65535)
        if let seconds = try integer(environment, "SHUTDOWN_TIMEOUT", in: 1...3600) {
            config.shutdownTimeout = .seconds(seconds)
        }
        if let seconds = try integer(environment, "HTTP_IDLE_TIMEOUT", in: 1...86_400) {
            config.idleTimeout = .seconds(seconds)
        }
        if let seconds = try integer(environment, "REQUEST_READ_TIMEOUT", in: 1...3600) {
            config.requestReadTimeout = .seconds(seconds)
        }
        if let seconds = try integer(environment, "TOKEN_TTL", in: 60...(366 * 86_400)) {
            config.tokenLifetime = .seconds(seconds)
        }
        config.authRateLimit = try integer(environment, "AUTH_RATE_LIMIT", in: 0...1_000_000) ?? config.authRateLimit
        for entry in (environment["TRUSTED_PROXIES"] ?? "").split(separator: ",") {
            let text = entry.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            guard let range = IPRange(text) else {
                throw ConfigError("TRUSTED_PROXIES must list IP addresses or CIDR ranges, separated by commas; got '\(text)'")
            }
            config.trustedProxies.append(range)
        }
        config.cookieSecure = try boolean(environment, "COOKIE_SECURE") ?? config.cookieSecure
        switch (environment["ADMIN_USERNAME"], environment["ADMIN_PASSWORD"]) {
        case (nil, nil): break
        case (let username?, let password?):
            if let problem = AccountRules.username(username) { throw ConfigError("ADMIN_USERNAME \(problem)") }
            if let problem = AccountRules.password(password) { throw ConfigError("ADMIN_PASSWORD \(problem)") }
            config.initialAdmin = (username, password)
        default:
            throw ConfigError("ADMIN_USERNAME and ADMIN_PASSWORD must be set together")
        }
        if let code = environment["SHOP_CURRENCY"] {
            guard let currency = Currency(code: code) else {
                throw ConfigError("SHOP_CURRENCY must be an ISO 4217 code with two decimal places (such as USD, EUR, GBP); got '\(code)'")
            }
            config.currency = currency
        }
        config.stripe = try StripeSettings.fromEnvironment(environment)
        config.webhooks = try WebhookSettings.fromEnvironment(environment)
        config.lowStockThreshold = try integer(environment, "LOW_STOCK_THRESHOLD", in: 0...Int(Product.maximumStock)).map(Int64.init)
            ?? config.lowStockThreshold
        if let token = environment["METRICS_TOKEN"], !token.isEmpty {
            config.metricsToken = token
        }
        config.corsAllowedOrigins = (environment["CORS_ALLOWED_ORIGINS"] ?? "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return config
    }

    /// `DATABASE_POOL_SIZE` and `DATABASE_CONNECT_TIMEOUT`, for the databases reached over the network.
    private static func readPoolSettings(
        _ environment: [String: String], size: inout Int, connectTimeout: inout Duration
    ) throws(ConfigError) {
        if let text = environment["DATABASE_POOL_SIZE"] {
            guard let parsed = Int(text), (1...1000).contains(parsed) else {
                throw ConfigError("DATABASE_POOL_SIZE must be an integer from 1 to 1000; got '\(text)'")
            }
            size = parsed
        }
        if let timeout = environment["DATABASE_CONNECT_TIMEOUT"] {
            guard let seconds = Int(timeout), (1...600).contains(seconds) else {
                throw ConfigError("DATABASE_CONNECT_TIMEOUT must be a number of seconds from 1 to 600; got '\(timeout)'")
            }
            connectTimeout = .seconds(seconds)
        }
    }

    private static func integer(
        _ environment: [String: String], _ name: String, in range: ClosedRange<Int>
    ) throws(ConfigError) -> Int? {
        guard let text = environment[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ConfigError("\(name) must be an integer from \(range.lowerBound) to \(range.upperBound); got '\(text)'")
        }
        return value
    }

    static func boolean(_ environment: [String: String], _ name: String) throws(ConfigError) -> Bool? {
        guard let text = environment[name] else { return nil }
        guard let value = Bool(text.lowercased()) else { throw ConfigError("\(name) must be true or false; got '\(text)'") }
        return value
    }
}

/// A configuration value that cannot be used; its description is the one line shown at start-up.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
