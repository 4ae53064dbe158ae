import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore

/// Builds the real application on a fresh SQLite file in a temporary folder, runs `test` against it
/// in-process, and removes the file afterwards.
func withApp(
    _ testing: TestingSetup = .router,
    _ test: @Sendable (any TestClientProtocol) async throws -> Void
) async throws {
    let database = try TestDatabase()
    defer { database.remove() }
    let app = try await buildApplication(database.config)
    try await app.test(testing) { client in try await test(client) }
}

/// A throw-away SQLite file; bcrypt at its lowest cost keeps the suite fast.
struct TestDatabase {
    let folder: URL
    let config: AppConfig

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("ecommerce-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        config = AppConfig(
            port: 0,
            database: .sqliteFile(path: folder.appendingPathComponent("test.sqlite").path),
            logLevel: .warning,
            bcryptCost: 4
        )
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
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
