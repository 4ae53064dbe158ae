@testable import App
import Testing

@Suite struct ConfigTests {
    @Test func withoutDatabaseURLTheServiceUsesALocalFile() throws {
        #expect(try AppConfig.fromEnvironment([:]).database == .sqliteFile(path: "ecommerce.sqlite"))
    }

    @Test(arguments: [
        ("sqlite:shop.db", DatabaseLocation.sqliteFile(path: "shop.db")),
        ("sqlite:///var/lib/shop.db", .sqliteFile(path: "/var/lib/shop.db")),
        ("sqlite://data/shop.db", .sqliteFile(path: "data/shop.db")),
        ("sqlite::memory:", .sqliteInMemory),
        ("SQLITE:shop.db", .sqliteFile(path: "shop.db")),
    ])
    func databaseURLsSelectTheDatabase(url: String, expected: DatabaseLocation) throws {
        #expect(try AppConfig.fromEnvironment(["DATABASE_URL": url]).database == expected)
    }

    @Test(arguments: ["shop.db", "sqlite:", "sqlite://", "mysql://root@localhost", "ftp://example.com/shop"])
    func unusableDatabaseURLsStopStartUpNamingTheVariable(url: String) {
        #expect {
            try AppConfig.fromEnvironment(["DATABASE_URL": url])
        } throws: { error in
            (error as? ConfigError)?.description.hasPrefix("DATABASE_URL") == true
        }
    }

    @Test func postgreSQLsPoolsAreSizedByTheirVariables() throws {
        let url = "postgres://shop@db.example.com/shop"
        guard case .postgres(let defaults) = try AppConfig.fromEnvironment(["DATABASE_URL": url]).database,
              case .postgres(let sized) = try AppConfig.fromEnvironment(
                  ["DATABASE_URL": url, "DATABASE_POOL_SIZE": "7", "DATABASE_LONG_READ_POOL_SIZE": "3"]).database
        else { Issue.record("\(url) did not select PostgreSQL"); return }
        #expect((defaults.poolSize, defaults.longReadPoolSize) == (20, 4))
        #expect((sized.poolSize, sized.longReadPoolSize) == (7, 3))
        for bad in ["0", "many", "1001"] {
            #expect {
                try AppConfig.fromEnvironment(["DATABASE_URL": url, "DATABASE_LONG_READ_POOL_SIZE": bad])
            } throws: { error in
                (error as? ConfigError)?.description.hasPrefix("DATABASE_LONG_READ_POOL_SIZE") == true
            }
        }
    }

    /// Without the `MySQL` trait a MySQL URL stops start-up saying how to build with it; with the
    /// trait it selects the server.
    @Test(arguments: ["mysql://shop:secret@db.example.com:3307/shop", "mariadb://shop:secret@db.example.com:3307/shop"])
    func mySQLURLsNeedTheMySQLTrait(url: String) throws {
        #if MySQL
        guard case .mysql(let settings) = try AppConfig.fromEnvironment(["DATABASE_URL": url, "DATABASE_POOL_SIZE": "7"]).database
        else { Issue.record("\(url) did not select MySQL"); return }
        #expect(settings.host == "db.example.com")
        #expect(settings.port == 3307)
        #expect(settings.username == "shop")
        #expect(settings.password == "secret")
        #expect(settings.database == "shop")
        #expect(settings.poolSize == 7)
        #else
        #expect {
            try AppConfig.fromEnvironment(["DATABASE_URL": url])
        } throws: { error in
            let description = (error as? ConfigError)?.description ?? ""
            return description.hasPrefix("DATABASE_URL") && description.contains("swift build --traits MySQL")
                && !description.contains("\n")
        }
        #endif
    }

    @Test func logLevelAndBcryptCostAreRead() throws {
        let config = try AppConfig.fromEnvironment(["LOG_LEVEL": "DEBUG", "BCRYPT_COST": "10"])
        #expect(config.logLevel == .debug)
        #expect(config.bcryptCost == 10)
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["LOG_LEVEL": "loud"]) }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["BCRYPT_COST": "3"]) }
    }

    @Test func httpTimeoutsAreRead() throws {
        let defaults = try AppConfig.fromEnvironment([:])
        #expect(defaults.idleTimeout == .seconds(60))
        #expect(defaults.requestReadTimeout == .seconds(30))
        let config = try AppConfig.fromEnvironment(["HTTP_IDLE_TIMEOUT": "5", "REQUEST_READ_TIMEOUT": "7"])
        #expect(config.idleTimeout == .seconds(5))
        #expect(config.requestReadTimeout == .seconds(7))
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["HTTP_IDLE_TIMEOUT": "0"]) }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["REQUEST_READ_TIMEOUT": "soon"]) }
    }

    @Test func anUnopenableDatabaseIsAConfigurationError() async throws {
        let config = AppConfig(database: .sqliteFile(path: "/nonexistent-folder/for/sure/shop.sqlite"))
        await #expect(throws: ConfigError.self) { _ = try await buildApplication(config) }
    }
}

@Suite struct SignInConfigTests {
    @Test func theAttemptLimitAndTrustedProxiesAreRead() throws {
        let defaults = try AppConfig.fromEnvironment([:])
        #expect(defaults.authRateLimit == 60)
        #expect(defaults.trustedProxies.isEmpty)
        let set = try AppConfig.fromEnvironment(["AUTH_RATE_LIMIT": "0", "TRUSTED_PROXIES": "10.0.0.1, 172.16.0.0/12,fd00::/8"])
        #expect(set.authRateLimit == 0)
        #expect(set.trustedProxies == [IPRange("10.0.0.1")!, IPRange("172.16.0.0/12")!, IPRange("fd00::/8")!])
    }

    @Test func webhookSettingsAreRead() throws {
        #expect(try AppConfig.fromEnvironment([:]).webhooks == WebhookSettings())
        let set = try AppConfig.fromEnvironment([
            "WEBHOOK_RETRY_SCHEDULE": "1, 2,4", "WEBHOOK_DISABLE_AFTER": "3600", "WEBHOOK_ALLOW_INSECURE": "TRUE",
            "WEBHOOK_POLL_INTERVAL": "50", "LOW_STOCK_THRESHOLD": "0",
        ])
        #expect(set.webhooks.retryDelays == [1, 2, 4] && set.webhooks.disableAfter == 3600 && set.webhooks.allowInsecure)
        #expect(set.webhooks.pollInterval == .milliseconds(50) && set.lowStockThreshold == 0)
    }

    @Test func consoleCookiesAreSecureWhenConfigured() throws {
        #expect(try AppConfig.fromEnvironment([:]).cookieSecure == false)
        #expect(try AppConfig.fromEnvironment(["COOKIE_SECURE": "true"]).cookieSecure)
    }

    @Test func stripeIsOffUnlessConfigured() throws {
        #expect(try AppConfig.fromEnvironment([:]).stripe == StripeSettings())
        let set = try AppConfig.fromEnvironment([
            "STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_WEBHOOK_SECRET": "whsec_abc", "STRIPE_API_BASE": "http://127.0.0.1:12111",
        ]).stripe
        #expect(set.secretKey == "sk_test_123" && set.webhookSecret == "whsec_abc" && set.apiBase == "http://127.0.0.1:12111")
    }

    @Test(arguments: [
        ["AUTH_RATE_LIMIT": "-1"], ["AUTH_RATE_LIMIT": "many"], ["TRUSTED_PROXIES": "10.0.0.1, proxy.internal"],
        ["STRIPE_SECRET_KEY": "pk_test_publishable"], ["STRIPE_WEBHOOK_SECRET": "not-a-signing-secret"], ["STRIPE_API_BASE": "api.stripe.com"],
        ["WEBHOOK_RETRY_SCHEDULE": "soon"], ["WEBHOOK_RETRY_SCHEDULE": "1,,2"], ["WEBHOOK_ALLOW_INSECURE": "yes"],
        ["WEBHOOK_DISABLE_AFTER": "0"], ["WEBHOOK_POLL_INTERVAL": "5"], ["LOW_STOCK_THRESHOLD": "-1"],
        ["COOKIE_SECURE": "1"],
    ])
    func badValuesStopStartUpNamingTheVariable(environment: [String: String]) {
        #expect {
            try AppConfig.fromEnvironment(environment)
        } throws: { error in
            (error as? ConfigError)?.description.hasPrefix(environment.keys.first ?? "") == true
        }
    }
}
