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

    @Test(arguments: ["mysql://root@localhost/shop", "shop.db", "sqlite:", "sqlite://"])
    func unusableDatabaseURLsStopStartUpNamingTheVariable(url: String) {
        #expect {
            try AppConfig.fromEnvironment(["DATABASE_URL": url])
        } throws: { error in
            (error as? ConfigError)?.description.hasPrefix("DATABASE_URL") == true
        }
    }

    @Test func logLevelAndBcryptCostAreRead() throws {
        let config = try AppConfig.fromEnvironment(["LOG_LEVEL": "DEBUG", "BCRYPT_COST": "10"])
        #expect(config.logLevel == .debug)
        #expect(config.bcryptCost == 10)
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["LOG_LEVEL": "loud"]) }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["BCRYPT_COST": "3"]) }
    }

    @Test func anUnopenableDatabaseIsAConfigurationError() async throws {
        let config = AppConfig(database: .sqliteFile(path: "/nonexistent-folder/for/sure/shop.sqlite"))
        await #expect(throws: ConfigError.self) { _ = try await buildApplication(config) }
    }
}
