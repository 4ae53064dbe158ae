import App
import Foundation
import ArgumentParser

@main
struct ECommerce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ecommerce",
        abstract: "An e-commerce REST service: users, accounts, products with stock, and orders.",
        version: AppVersion.current,
        subcommands: [Serve.self, Migrate.self, CreateAdmin.self, Seed.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the API, migrating the database first.")

    @Option(help: "The address to listen on.") var hostname = "127.0.0.1"
    @Option(help: "The port to listen on.") var port = 8080

    func run() async throws {
        let config = try await loadConfig { try AppConfig.fromEnvironment(hostname: hostname, port: port) }
        bootstrapLogging(config)
        try await loadConfig { try await runServer(config) }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending migrations, or revert them.")

    @Flag(help: "Revert the most recent migration instead of applying.") var revert = false
    @Flag(help: "With --revert: revert every migration.") var all = false

    func run() async throws {
        let config = try await loadConfig { try AppConfig.fromEnvironment() }
        bootstrapLogging(config)
        let names = try await loadConfig { try await runMigrations(config, revert: revert, all: all) }
        print(names.isEmpty ? "Nothing to do." : "\(revert ? "Reverted" : "Applied"): \(names.joined(separator: ", "))")
    }
}

struct CreateAdmin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create-admin", abstract: "Create an admin account (and its user), migrating first if needed."
    )

    @Option(help: "The admin's username.") var username: String
    @Option(help: "The admin's password (at least 8 characters, at most 72 bytes).") var password: String
    @Option(help: "The user's name (default: the username).") var name: String?
    @Option(help: "The user's email (default: USERNAME@admin.invalid).") var email: String?
    @Option(help: "The user's phone (default: 0000000).") var phone: String?

    func run() async throws {
        let config = try await loadConfig { try AppConfig.fromEnvironment() }
        bootstrapLogging(config)
        try await loadConfig {
            try await createAdmin(config, username: username, password: password, name: name, email: email, phone: phone)
        }
        print("Created admin \(username).")
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Add realistic bulk data: users, products with stock, and orders placed by the order rules."
    )

    @Option(help: "Users to add.") var users = 1_000
    @Option(help: "Products to add.") var products = 10_000
    @Option(help: "Orders to place (1-5 lines each).") var orders = 1_000
    @Option(help: "The random seed; the same seed gives the same data.") var seed: UInt64 = 42

    func run() async throws {
        let config = try await loadConfig { try AppConfig.fromEnvironment() }
        bootstrapLogging(config)
        let started = ContinuousClock.now
        let counts = Seeder.Counts(users: users, products: products, orders: orders)
        try await loadConfig { try await seedDatabase(config, counts: counts, seed: seed, progress: ProgressReporter.report) }
        if ProgressReporter.isTerminal { print("") }
        print("Seeded \(users) users, \(products) products and \(orders) orders in \(ContinuousClock.now - started).")
    }
}

/// A progress bar on a terminal, plain lines otherwise (logs, CI).
enum ProgressReporter {
    static let isTerminal = isatty(STDOUT_FILENO) != 0

    static let report: @Sendable (String, Int, Int) -> Void = { table, done, total in
        let percent = total == 0 ? 100 : done * 100 / total
        if isTerminal {
            let bar = String(repeating: "#", count: percent / 4).padding(toLength: 25, withPad: " ", startingAt: 0)
            let line = "\r\(table.padding(toLength: 8, withPad: " ", startingAt: 0)) [\(bar)] \(percent)% \(done)/\(total)"
            FileHandle.standardOutput.write(Data(line.utf8))
            if done == total { print("") }
        } else {
            print("\(table): \(done)/\(total) (\(percent)%)")
        }
    }
}

/// A configuration problem ends the process with its one line, not a stack trace.
func loadConfig<T>(_ load: () async throws -> T) async throws -> T {
    do {
        return try await load()
    } catch let error as ConfigError {
        FileHandle.standardError.write(Data("ecommerce: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
