@testable import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Testing

@Suite struct ObservabilityTests {
    @Test func healthAndReadinessAnswer() async throws {
        try await withApp { client in
            let health = try await client.get("/health")
            #expect(health.status == .ok)
            #expect(health.json["status"].string == "ok")
            let ready = try await client.get("/ready")
            #expect(ready.status == .ok)
            #expect(ready.json["status"].string == "ready")
        }
    }

    /// A PostgreSQL server on a port held but never listened on: a real database that cannot be reached.
    /// How fast it answers is not asserted: alone it answers in 2 s (its timeout), but with the whole
    /// suite running on two cores its timer fired after more than a minute, as late as the pool's own
    /// give-up (~65 s), so no bound separates the two reliably here.
    @Test func readinessFailsWhenTheDatabaseIsUnreachable() async throws {
        let nobodyListens = try ReservedPort()
        defer { nobodyListens.release() }
        let unreachable = try DatabaseLocation(url: "postgres://nobody@127.0.0.1:\(nobodyListens.port)/none?sslmode=disable")
        let config = AppConfig(database: unreachable)
        var quiet = Logger(label: "test")
        quiet.logLevel = .critical
        let store = try await unreachable.openStore(logger: quiet)
        let shop = try await Shop(store: store, hasher: PasswordHasher(cost: 4))
        let router = try buildRouter(shop, store: store, config: config)
        var app = Application(router: router)
        app.addServices(store)
        try await app.test(.router) { base in
            let client = APIClient(base: base, authorization: nil)
            let ready = try await client.get("/ready")
            #expect(ready.status == .serviceUnavailable)
            #expect(ready.json["error"].bool == true)
            #expect(try await client.get("/health").status == .ok)
        }
    }

    @Test func requestIDsAreEchoedOrGenerated() async throws {
        try await withApp { client in
            let given = try await client.send(.get, "/health", headers: [.requestID: "trace-abc-123"])
            #expect(given.headers[.requestID] == "trace-abc-123")

            let generated = try await client.get("/health")
            let id = try #require(generated.headers[.requestID])
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
            #expect(try await client.get("/health").headers[.requestID] != id)

            for invalid in [String(repeating: "x", count: 129), "has space", "tab\there"] {
                let replaced = try await client.send(.get, "/health", headers: [.requestID: invalid])
                #expect(replaced.headers[.requestID] != invalid)
                #expect(replaced.headers[.requestID]?.count == 32)
            }
            #expect(try await client.get("/nothing").headers[.requestID] != nil)
        }
    }

    /// Ids come from a counter through a bijection, not from the system's random source: none may repeat.
    @Test func generatedRequestIDsNeverRepeat() {
        let ids = (0..<100_000).map { _ in RequestIDs.next() }
        #expect(Set(ids).count == ids.count)
        #expect(ids.allSatisfy { $0.utf8.count == 32 && $0.utf8.allSatisfy { Hex.digits.contains($0) } })
        #expect(Set(ids.map { $0.prefix(16) }).count == 1)  // one process, one half
    }

    @Test func eachRequestIsLoggedOnceWithRouteStatusAndRequestID() async throws {
        let capture = LogCapture()
        try await withApp(logger: capture.logger) { client in
            _ = try await client.send(.get, "/products/12345?secret=abc", headers: [.requestID: "req-42"])
        }
        let lines = capture.text.split(separator: "\n").filter { $0.contains("Request") && $0.contains("req-42") }
        #expect(lines.count == 1)
        let line = try #require(lines.first)
        #expect(line.hasPrefix("info"))
        #expect(line.contains("route=/products/{id}"))
        #expect(line.contains("status=404"))
        #expect(line.contains("method=GET"))
        #expect(line.contains("duration_ms="))
        #expect(!line.contains("12345") && !line.contains("secret"))
    }

    @Test func noPasswordOrHashReachesADebugLog() async throws {
        let capture = LogCapture()
        let password = "hunter2-Very-Secret"
        let newPassword = "another-Secret-999"
        let tokens = TokenBox()
        try await withApp(logger: capture.logger) { client in
            let registered = try await client.anonymous.post("/auth/register", AuthTests.registration("logged", password: password))
            let user = try #require(registered.json["user"]["id"].int)
            tokens.add(try #require(registered.json["token"].string))
            let login = try await client.anonymous.post("/auth/login", #"{"username": "logged", "password": "\#(password)"}"#)
            tokens.add(try #require(login.json["token"].string))
            let failed = try await client.anonymous.post("/auth/login", #"{"username": "logged", "password": "\#(newPassword)"}"#)
            #expect(failed.status == .unauthorized)
            _ = try await client.patch("/users/\(user)/account", #"{"password": "\#(newPassword)"}"#)
            _ = try await client.send(.get, "/auth/me", headers: [.authorization: "Bearer not-a-real-token"])
            _ = try await client.post("/accounts", #"{"username": "x", "password": "\#(password)", "user_id": "bad"}"#)
            tokens.add(String(try #require(client.authorization?.dropFirst("Bearer ".count))))
        }
        let text = capture.text
        #expect(text.contains("Request"), "the capture must have seen the requests")
        #expect(tokens.all.count == 3)
        for secret in [password, newPassword, "$2b$", "$2a$", "$2y$", "not-a-real-token", "Bearer"] + tokens.all {
            #expect(!text.contains(secret), "log contains \(secret)")
        }
    }

    @Test func corsIsOffByDefault() async throws {
        try await withApp { client in
            let response = try await client.send(.get, "/products", headers: [.origin: "https://shop.example"])
            #expect(response.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func corsAnswersListedOriginsOnly() async throws {
        try await withApp(configure: { $0.corsAllowedOrigins = ["https://shop.example", "https://admin.example"] }) { client in
            let preflight = try await client.send(.options, "/products", headers: [
                .origin: "https://shop.example", .accessControlRequestMethod: "POST",
            ])
            #expect(preflight.status == .noContent || preflight.status == .ok)
            #expect(preflight.headers[.accessControlAllowOrigin] == "https://shop.example")
            #expect(preflight.headers[.accessControlAllowMethods]?.contains("POST") == true)

            let listed = try await client.send(.get, "/products", headers: [.origin: "https://admin.example"])
            #expect(listed.headers[.accessControlAllowOrigin] == "https://admin.example")

            let other = try await client.send(.get, "/products", headers: [.origin: "https://evil.example"])
            #expect(other.headers[.accessControlAllowOrigin] == nil)
        }
    }

    @Test func theBodyLimitIsConfigurable() async throws {
        try await withApp(configure: { $0.maxBodySize = 2048 }) { client in
            let name = String(repeating: "n", count: 3000)
            let response = try await client.post("/products", #"{"name": "\#(name)", "price": 1, "quantity": 1}"#)
            #expect(response.status == .contentTooLarge)
            #expect(try await client.post("/products", #"{"name": "small", "price": 1, "quantity": 1}"#).status == .created)
        }
    }

    @Test func theJSONLogFormatWritesOneObjectPerLine() throws {
        let lines = LockedLines()
        var logger = Logger(label: "json-test") { LineLogHandler(label: $0, format: .json, write: lines.append) }
        logger[metadataKey: "request_id"] = "abc"
        logger.info("Request", metadata: ["status": "200", "route": "/products/:id"])
        let line = try #require(lines.all.first)
        #expect(lines.all.count == 1 && !line.contains("\n"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["message"] as? String == "Request")
        #expect(object["level"] as? String == "info")
        #expect(object["request_id"] as? String == "abc")
        #expect(object["route"] as? String == "/products/:id")
        #expect(object["timestamp"] is String)
    }

    @Test func theTextLogFormatWritesMetadataSortedBeforeTheMessage() throws {
        let lines = LockedLines()
        var logger = Logger(label: "text-test") { LineLogHandler(label: $0, format: .text, write: lines.append) }
        logger[metadataKey: "request_id"] = "abc"
        logger.warning("Request failed", metadata: ["status": "500"])
        #expect(lines.all.count == 1)
        #expect(try #require(lines.all.first).hasSuffix(" warning text-test: request_id=abc status=500 Request failed"))
    }

    @Test func logSettingsAreRead() throws {
        let config = try AppConfig.fromEnvironment([
            "LOG_FORMAT": "json", "MAX_BODY_SIZE": "4096", "CORS_ALLOWED_ORIGINS": "https://a.example, https://b.example",
            "METRICS_TOKEN": "t0k", "METRICS_PORT": "9100", "SHUTDOWN_TIMEOUT": "5",
        ])
        #expect(config.logFormat == .json)
        #expect(config.maxBodySize == 4096)
        #expect(config.corsAllowedOrigins == ["https://a.example", "https://b.example"])
        #expect(config.metricsToken == "t0k")
        #expect(config.metricsPort == 9100)
        #expect(config.shutdownTimeout == .seconds(5))
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["LOG_FORMAT": "xml"]) }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["MAX_BODY_SIZE": "lots"]) }
    }
}

private final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    var all: [String] { lock.withLock { lines } }
    func append(_ line: String) { lock.withLock { lines.append(line) } }
}

private final class TokenBox: @unchecked Sendable {
    private let lock = NSLock()
    private var tokens: [String] = []
    var all: [String] { lock.withLock { tokens } }
    func add(_ token: String) { lock.withLock { tokens.append(token) } }
}
