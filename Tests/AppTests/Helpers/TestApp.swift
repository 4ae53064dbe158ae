import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PostgresNIO

/// Builds the real application on a fresh database — a temporary SQLite file, or a new PostgreSQL
/// database when `DATABASE_URL` names a PostgreSQL server — runs `test` against it in-process, and
/// removes the database afterwards.
func withApp(
    _ testing: TestingSetup = .router,
    configure: (inout AppConfig) -> Void = { _ in },
    logger: Logger? = nil,
    _ test: @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    try await withTestDatabase { database in
        var config = database.config
        configure(&config)
        let app = try await buildApplication(config, logger: logger)
        try await app.test(testing) { client in try await test(client) }
    }
}

/// Runs `body` with a fresh database and removes the database afterwards, whatever happens.
func withTestDatabase(_ body: (TestDatabase) async throws -> Void) async throws {
    let database = try await TestDatabase.make()
    do {
        try await body(database)
    } catch {
        await database.remove()
        throw error
    }
    await database.remove()
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

    static func make() async throws -> TestDatabase {
        let location = try DatabaseLocation(url: ProcessInfo.processInfo.environment["DATABASE_URL"])
        if case .postgres(let server) = location {
            return try await makePostgres(on: server)
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
        settings.poolSize = 8
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

    private static func testConfig(_ database: DatabaseLocation) -> AppConfig {
        AppConfig(port: 0, database: database, logLevel: .warning, bcryptCost: 4)
    }
}

/// A response with its body read as exact JSON.
struct APIResponse: Sendable {
    let status: HTTPResponse.Status
    let headers: HTTPFields
    let body: String
    var json: JSONValue { (try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8))) ?? .null }
}

extension TestClientProtocol {
    /// Sends `body` as raw text (so tests control every byte) with a JSON content type unless overridden.
    func send(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: HTTPFields = [:]
    ) async throws -> APIResponse {
        var headers = headers
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }) {
            APIResponse(status: $0.status, headers: $0.headers, body: String(buffer: $0.body))
        }
    }

    func get(_ uri: String) async throws -> APIResponse { try await send(.get, uri) }
    func post(_ uri: String, _ body: String) async throws -> APIResponse { try await send(.post, uri, body: body) }
    func put(_ uri: String, _ body: String) async throws -> APIResponse { try await send(.put, uri, body: body) }
    func patch(_ uri: String, _ body: String) async throws -> APIResponse { try await send(.patch, uri, body: body) }
    func delete(_ uri: String) async throws -> APIResponse { try await send(.delete, uri) }
}
