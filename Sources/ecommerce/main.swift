import App
import Foundation
import ArgumentParser

@main
struct ECommerce: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ecommerce",
        abstract: "An e-commerce REST service: users, accounts, products with stock, and orders.",
        version: AppVersion.current,
        subcommands: [Serve.self, Migrate.self, CreateAdmin.self, ResetPassword.self, Unlock.self, Seed.self],
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
    @OptionGroup var password: PasswordInput
    @Option(help: "The user's name (default: the username).") var name: String?
    @Option(help: "The user's email (default: USERNAME@admin.invalid).") var email: String?
    @Option(help: "The user's phone (default: 0000000).") var phone: String?

    func run() async throws {
        let config = try await loadConfig { try AppConfig.fromEnvironment() }
        bootstrapLogging(config)
        let password = try self.password.read()
        try await loadConfig {
            try await createAdmin(config, username: username, password: password, name: name, email: email, phone: phone)
        }
        print("Created admin \(username).")
    }
}

struct ResetPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-password",
        abstract: "Give an account a new password, ending its tokens at once (in a running server too)."
    )

    @Option(help: "The account's username.") var username: String
    @OptionGroup var password: PasswordInput

    func run() async throws {
        let config = try await loadConfig { try AppConfig.fromEnvironment() }
        bootstrapLogging(config)
        let password = try self.password.read()
        try await loadConfig { try await resetPassword(config, username: username, password: password) }
        print("New password set for \(username); its tokens are ended.")
    }
}

struct Unlock: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Forget an account's failed sign-ins, so it may sign in again at once."
    )

    @Option(help: "The account's username.") var username: String

    func run() async throws {
        let config = try await loadConfig { try AppConfig.fromEnvironment() }
        bootstrapLogging(config)
        let cleared = try await loadConfig { try await unlock(config, username: username) }
        print("Cleared \(cleared) failed sign-in\(cleared == 1 ? "" : "s") for \(username).")
    }
}

/// A password from standard input (`--password-stdin`), from `--password`, or typed at a prompt
/// that does not echo it.
struct PasswordInput: ParsableArguments {
    @Flag(help: "Read the password from the first line of standard input.") var passwordStdin = false
    @Option(help: "The password (at least 8 characters, at most 72 bytes). Shows in the process list and the shell's history: prefer --password-stdin or the prompt.")
    var password: String?

    func read() throws -> String {
        if let password {
            guard !passwordStdin else { throw ValidationError("Give --password or --password-stdin, not both.") }
            return password
        }
        if passwordStdin {
            guard let line = readLine(strippingNewline: true) else { throw ValidationError("No password on standard input.") }
            return line
        }
        guard isatty(STDIN_FILENO) != 0 else {
            throw ValidationError("Standard input is not a terminal: give --password-stdin and the password on standard input.")
        }
        return try Self.prompt("Password: ")
    }

    /// Reads a line from the terminal with echo off, restoring the terminal whatever happens.
    private static func prompt(_ text: String) throws -> String {
        FileHandle.standardError.write(Data(text.utf8))
        var saved = termios()
        tcgetattr(STDIN_FILENO, &saved)
        var silent = saved
        silent.c_lflag &= ~tcflag_t(ECHO)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
            FileHandle.standardError.write(Data("\n".utf8))
        }
        guard let line = readLine(strippingNewline: true) else { throw ValidationError("No password given.") }
        return line
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
