import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The `ecommerce` executable run as a child process, for tests that kill a server or run two.
/// It listens on a port the system chooses, read from its start-up log line.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    private let output = Pipe()
    private let metricsPort: Int?
    private let logLock = NSLock()
    private var logText = ""
    private(set) var port = 0
    /// The admin's bearer token once `start` has signed in; sent with every request unless `anonymous`.
    private(set) var authorization: String?

    /// The executable `swift build` puts beside the test bundle.
    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ecommerce")
    }

    init(databaseURL: String, environment extra: [String: String] = [:]) throws {
        process.executableURL = Self.executable
        process.arguments = ["serve", "--port", "0"]
        var environment = ProcessInfo.processInfo.environment
        environment["DATABASE_URL"] = databaseURL
        environment["LOG_LEVEL"] = "info"
        environment["BCRYPT_COST"] = "4"
        environment["AUTH_RATE_LIMIT"] = "0"
        environment["ADMIN_USERNAME"] = TestAdmin.username
        environment["ADMIN_PASSWORD"] = TestAdmin.password
        environment.merge(extra) { $1 }
        metricsPort = extra["METRICS_PORT"].flatMap { Int($0) }
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
    }

    /// Starts the server and waits until it listens and its admin has signed in; a server that does
    /// not get there is killed, never left running after the test.
    func start() async throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.executable.path), "build the executable first")
        try process.run()
        do {
            try await waitUntilListening()
        } catch {
            await stop(signal: SIGKILL)
            throw error
        }
    }

    private func waitUntilListening() async throws {
        var log = ""
        let deadline = Date().addingTimeInterval(180)
        let handle = output.fileHandleForReading
        while Date() < deadline {
            let data = await offCooperativeThreads { handle.availableData }
            if data.isEmpty { break }
            log += String(decoding: data, as: UTF8.self)
            // The API's port; a metrics server on its own port logs the same line.
            let ports = log.matches(of: /listening on 127\.0\.0\.1:(\d+)/).compactMap { Int($0.output.1) }
            if let port = ports.first(where: { $0 != metricsPort }) {
                self.port = port
                // Keep draining the log so the server never blocks on a full pipe.
                appendToLog(log)
                output.fileHandleForReading.readabilityHandler = { [self] in
                    appendToLog(String(decoding: $0.availableData, as: UTF8.self))
                }
                // Tried again when the connection failed: a server with a short idle timeout closes
                // one that a loaded test process was too slow to send on.
                var token: String?
                for _ in 0..<3 where token == nil {
                    let login = await send(.post, "/auth/login", body: #"{"username": "\#(TestAdmin.username)", "password": "\#(TestAdmin.password)"}"#)
                    token = login?.json["token"].string
                }
                authorization = "Bearer \(try #require(token, "the admin could not sign in:\n\(self.log)"))"
                return
            }
        }
        throw ServerProcessError.didNotStart(log)
    }

    /// Everything the server has logged so far.
    var log: String {
        logLock.withLock { logText }
    }

    private func appendToLog(_ text: String) {
        logLock.withLock { logText += text }
    }

    /// Sends `signal` and waits for the process to end; returns its exit status.
    @discardableResult
    func stop(signal: Int32) async -> Int32 {
        kill(process.processIdentifier, signal)
        await offCooperativeThreads { [self] in process.waitUntilExit() }
        output.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    /// Asks the server to shut down (SIGTERM) without waiting, for `defer`, where nothing can be awaited.
    func terminate() {
        kill(process.processIdentifier, SIGTERM)
    }

    /// One request on its own connection; nil when the server could not be reached (e.g. killed).
    func send(
        _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: HTTPFields = [:], port: Int? = nil,
        authenticated: Bool = true
    ) async -> APIResponse? {
        var headers = headers
        if body != nil { headers[.contentType] = "application/json" }
        if authenticated, let authorization, headers[.authorization] == nil { headers[.authorization] = authorization }
        let requestHeaders = headers
        return try? await TestClient.withClient(
            host: "127.0.0.1", port: port ?? self.port, configuration: .init(timeout: .seconds(90))
        ) { client in
            let request = TestClient.Request(
                uri, method: method, headers: requestHeaders,
                body: body.map { ByteBuffer(string: $0) }
            )
            let response = try await client.execute(request)
            return APIResponse(status: response.status, headers: response.headers, body: response.body.map { String(buffer: $0) } ?? "")
        }
    }
}

enum ServerProcessError: Error {
    case didNotStart(String)
}

/// Runs blocking work (reading a pipe, waiting for a process) on a dispatch thread. The suite's
/// tests share a cooperative pool of one thread per core; blocking one of them stalls every other
/// test's timers and queries (a readiness check measured at 86 s, migrations outlasting SQLite's
/// busy timeout).
func offCooperativeThreads<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: work()) }
    }
}
