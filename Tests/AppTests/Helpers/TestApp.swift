@testable import JSONSupport
import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO
import Testing
#if MySQL
import NIOPosix
import SQLMariaDB
#endif

/// Builds the real application on a fresh database — a temporary SQLite file, or a new PostgreSQL or
/// MySQL database when `DATABASE_URL` names such a server — runs `test` against it in-process, and
/// removes the database afterwards.
func withApp(
    _ testing: TestingSetup = .router,
    configure: (inout AppConfig) -> Void = { _ in },
    logger: Logger? = nil,
    clock: TestClock = TestClock(),
    _ test: @Sendable (APIClient) async throws -> Void
) async throws {
    try await withTestDatabase { database in
        var config = database.config
        configure(&config)
        let app = try await buildApplication(config, logger: logger, now: clock.now)
        try await app.test(testing) { client in try await test(try await APIClient.signedInAsAdmin(client)) }
    }
}

/// Runs `body` with a fresh database and removes the database afterwards, whatever happens; at most
/// `TestDatabaseSlots` tests at once.
func withTestDatabase(_ body: (TestDatabase) async throws -> Void) async throws {
    try await TestDatabaseSlots.withSlot {
        let database = try await TestDatabase.make()
        do {
            try await body(database)
        } catch {
            await database.remove()
            throw error
        }
        await database.remove()
    }
}

/// A throw-away database; bcrypt at its lowest cost keeps the suite fast.
struct TestDatabase: Sendable {
    let config: AppConfig
    /// The same database as a `DATABASE_URL`, for servers started as processes.
    let url: String
    let remove: @Sendable () async -> Void

    /// Which database the suite runs on, from `DATABASE_URL` (SQLite when unset).
    static var isPostgres: Bool {
        if case .postgres = try? DatabaseLocation(url: ProcessInfo.processInfo.environment["DATABASE_URL"]) { return true }
        return false
    }

    static var isMySQL: Bool {
        if case .mysql = try? DatabaseLocation(url: ProcessInfo.processInfo.environment["DATABASE_URL"]) { return true }
        return false
    }

    /// A database server that several processes share (PostgreSQL or MySQL), rather than an SQLite file.
    static var isServer: Bool { isPostgres || isMySQL }

    static func make() async throws -> TestDatabase {
        let location = try DatabaseLocation(url: ProcessInfo.processInfo.environment["DATABASE_URL"])
        if case .postgres(let server) = location {
            return try await makePostgres(on: server)
        }
        if case .mysql(let server) = location {
            #if MySQL
            return try await makeMySQL(on: server)
            #endif
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ecommerce-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("test.sqlite").path
        return TestDatabase(
            config: testConfig(.sqliteFile(path: path)), url: "sqlite://\(path)",
            remove: { try? FileManager.default.removeItem(at: folder) }
        )
    }

    /// A new database on the server for each test, so tests run in parallel without sharing rows.
    private static func makePostgres(on server: PostgresSettings) async throws -> TestDatabase {
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await administer(server, "CREATE DATABASE \(name)")
        var settings = server
        settings.database = name
        // Small pools: the whole suite runs in parallel against one server.
        settings.poolSize = 4
        settings.longReadPoolSize = 2
        let password = settings.password.map { ":\($0)" } ?? ""
        return TestDatabase(
            config: testConfig(.postgres(settings)),
            url: "postgres://\(settings.username)\(password)@\(settings.host):\(settings.port)/\(name)?sslmode=disable",
            remove: { try? await administer(server, "DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
        )
    }

    private static func administer(_ server: PostgresSettings, _ statement: String) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: .init(host: server.host, port: server.port, username: server.username,
                                 password: server.password, database: server.database, tls: .disable),
            id: 0, logger: Logger(label: "tests")
        )
        do {
            try await connection.query(PostgresQuery(unsafeSQL: statement), logger: Logger(label: "tests"))
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    #if MySQL
    /// A new database on the server for each test, as for PostgreSQL.
    private static func makeMySQL(on server: MySQLSettings) async throws -> TestDatabase {
        let name = "test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        try await administerMySQL(server, "CREATE DATABASE \(name) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        var settings = server
        settings.database = name
        settings.poolSize = 4
        let password = settings.password.map { ":\($0)" } ?? ""
        return TestDatabase(
            config: testConfig(.mysql(settings)),
            url: "mysql://\(settings.username)\(password)@\(settings.host):\(settings.port)/\(name)",
            remove: { try? await administerMySQL(server, "DROP DATABASE IF EXISTS \(name)") }
        )
    }

    static func administerMySQL(_ server: MySQLSettings, _ statement: String) async throws {
        let connection = try await MariaDBConnection.connect(
            configuration: MariaDBConfiguration(host: server.host, port: server.port, username: server.username,
                                                password: server.password, database: server.database),
            threadPool: NIOThreadPool.singleton
        )
        do {
            _ = try await connection.query(statement)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
    }
    #endif

    private static func testConfig(_ database: DatabaseLocation) -> AppConfig {
        var config = AppConfig(port: 0, database: database, logLevel: .warning, bcryptCost: 4)
        // Every test signs in from one address; the tests of the limit turn it on.
        config.authRateLimit = 0
        config.initialAdmin = (TestAdmin.username, TestAdmin.password)
        // The dispatcher would read the outbox five times a second in every test; the webhook tests
        // set the interval they need.
        config.webhooks.pollInterval = .seconds(600)
        return config
    }
}

/// A response with its body read as exact JSON.
struct APIResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: String
    var json: JSONValue { (try? JSONValue(parsing: body.utf8)) ?? .null }
}

/// The admin every test application starts with (`ADMIN_USERNAME`); its user and account exist in
/// every list, so list assertions leave them out (`APIClient.list`).
enum TestAdmin {
    static let username = "test-admin"
    static let password = "test-admin-password"
}

/// A test client that sends a bearer token: the admin's by default, `as(token)` another's,
/// `anonymous` none.
struct APIClient: Sendable {
    let base: any TestClientProtocol
    var authorization: String?
    /// The admin's own user and account ids.
    var adminUserID: Int64 = 0
    var adminAccountID: Int64 = 0

    var port: Int? { base.port }

    static func signedInAsAdmin(_ base: any TestClientProtocol) async throws -> APIClient {
        var client = APIClient(base: base, authorization: nil)
        let login = try await client.post("/auth/login", #"{"username": "\#(TestAdmin.username)", "password": "\#(TestAdmin.password)"}"#)
        client.authorization = "Bearer \(try #require(login.json["token"].string, "\(login.body)"))"
        client.adminUserID = try #require(login.json["account"]["user_id"].int)
        client.adminAccountID = try #require(login.json["account"]["id"].int)
        return client
    }

    var anonymous: APIClient {
        var client = self
        client.authorization = nil
        return client
    }

    func `as`(_ token: String) -> APIClient {
        var client = self
        client.authorization = "Bearer \(token)"
        return client
    }

    var authHeaders: HTTPFields {
        authorization.map { [.authorization: $0] } ?? [:]
    }

    /// Sends `body` as raw text (so tests control every byte) with a JSON content type unless overridden.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: HTTPFields = [:]
    ) async throws -> APIResponse {
        var headers = headers
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        if let authorization, headers[.authorization] == nil { headers[.authorization] = authorization }
        let response = try await base.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            APIResponse(status: $0.status, headers: $0.headers, body: String(buffer: $0.body))
        }
        // Every answer is held to the published contract (CORS preflights are the middleware's, on any path).
        if method != .options {
            for problem in Contract.problems(method, uri, response) { Issue.record("Contract: \(problem)") }
        }
        return response
    }

    func get(_ uri: String) async throws -> APIResponse { try await send(.get, uri) }
    func post(_ uri: String, _ body: String) async throws -> APIResponse { try await send(.post, uri, body: body) }
    func put(_ uri: String, _ body: String) async throws -> APIResponse { try await send(.put, uri, body: body) }
    func patch(_ uri: String, _ body: String) async throws -> APIResponse { try await send(.patch, uri, body: body) }
    func delete(_ uri: String) async throws -> APIResponse { try await send(.delete, uri) }

    /// A list's items without the test admin's own user and account.
    func list(_ uri: String) async throws -> [JSONValue] {
        try await get(uri).json.array.filter { !isAdminsOwn($0) }
    }

    func isAdminsOwn(_ item: JSONValue) -> Bool {
        if item.keys.contains("username") { return item["id"].int == adminAccountID }
        if item.keys.contains("email") { return item["id"].int == adminUserID }
        return false
    }
}

/// The wall clock, moved forward by tests that need time to pass (token expiry); `frozen`, a clock
/// that moves only when told, for tests whose outcome must not depend on how fast the machine is.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var offset: TimeInterval = 0
    private let frozenAt: Date?

    init(frozen: Bool = false) {
        frozenAt = frozen ? Date() : nil
    }

    func advance(by seconds: TimeInterval) {
        lock.withLock { offset += seconds }
    }

    var now: @Sendable () -> Date {
        { [self] in (frozenAt ?? Date()).addingTimeInterval(lock.withLock { offset }) }
    }
}
