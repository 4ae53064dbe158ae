@testable import App
import Foundation
import Logging
import Testing
import TestSupport

/// Other processes on the same SQLite file (`ecommerce migrate` while serving, a reader) rely on the
/// locks the serving process holds on it. Syncing the file by a descriptor of its own dropped them
/// all: the next process to close the database then took it for its last user and deleted the WAL
/// under the server, whose later commits were lost.
@Suite(.enabled(if: !TestDatabase.isServer, "runs on SQLite only"))
struct SQLiteFileLockTests {
    @Test func migrateAndAReaderBesideAServerUnderWriteLoseNoOrderThroughWALRestarts() async throws {
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("shop.sqlite").path
            let config = AppConfig(database: .sqliteFile(path: path), bcryptCost: 4)
            try await runMigrations(config, revert: false, all: false)
            // A WAL restart (and the sync before it) every few dozen orders rather than every 80 MB.
            var checkpointing = SQLiteStore.Checkpointing()
            checkpointing.interval = .milliseconds(5)
            checkpointing.restartBytes = 32 << 10
            var placed = 0
            try await withRunningSQLiteStore(at: path, checkpointing: checkpointing) { store in
                let shop = try await Shop(store: store, hasher: PasswordHasher(cost: 4))
                let user = try await shop.users.create(UserFields(name: "A", email: "a@example.com", phone: "5551234567"))
                let product = try await shop.products.create(try ProductDraft(body: .object([
                    "name": .string("Cup"), "price": .number(1), "quantity": .number(1_000_000),
                ])))
                let request = PlaceOrderRequest(userID: user.id, lines: [OrderLineRequest(productID: product.id, quantity: 1)])
                let writing = Task {
                    try await withThrowingTaskGroup(of: Int.self) { group in
                        for _ in 0..<4 {
                            group.addTask {
                                for _ in 0..<150 { _ = try await shop.orders.place(request) }
                                return 150
                            }
                        }
                        return try await group.reduce(0, +)
                    }
                }
                for _ in 0..<3 {
                    #expect(try await runProcess(ServerProcess.executable.path, ["migrate"], environment: ["DATABASE_URL": "sqlite://\(path)"]) == 0)
                    #expect(try await runProcess("/usr/bin/env", ["python3", "-c", Self.reader, path]) == 0)
                }
                placed = try await writing.value
            }
            let counts = try await config.database.withStore(logger: Logger(label: "tests")) { store in
                try await store.read { session in
                    (orders: try await session.sql.raw("SELECT count(*) AS n FROM orders").first()?.decode(column: "n", as: Int.self),
                     integrity: try await session.sql.raw("PRAGMA integrity_check").first()?.decode(column: "integrity_check", as: String.self))
                }
            }
            #expect(counts.integrity == "ok")
            #expect(counts.orders == placed, "every order answered as placed is in the database")
        }
    }

    /// A reader in another process: opens the database, reads, and closes it (the close is what
    /// deletes the WAL when it believes itself the last connection).
    private static let reader = """
        import sqlite3, sys
        connection = sqlite3.connect(sys.argv[1], timeout=30)
        connection.execute("SELECT count(*) FROM orders").fetchone()
        connection.close()
        """
}

/// Runs a program to its end off the cooperative threads; returns its exit status, recording what
/// it wrote to stderr when that is not 0. Each program here takes a second or so, and waits at most
/// 30 s for a lock; one still running after three minutes hangs, and is killed so the test fails.
private func runProcess(_ executable: String, _ arguments: [String], environment extra: [String: String] = [:]) async throws -> Int32 {
    let process = Process()
    let errors = Pipe()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(extra) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = errors
    try process.run()
    let pid = process.processIdentifier
    let watchdog = Task {
        guard (try? await Task.sleep(for: .seconds(180))) != nil else { return false } // cancelled: it ended
        kill(pid, SIGKILL)
        return true
    }
    let stderr = await offCooperativeThreads {
        defer { process.waitUntilExit() }
        return String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
    watchdog.cancel()
    let killed = await watchdog.value
    #expect(!killed, "\(executable) \(arguments) was still running after 180 s: killed")
    if process.terminationStatus != 0 { Issue.record("\(executable) \(arguments): \(stderr)") }
    return process.terminationStatus
}
