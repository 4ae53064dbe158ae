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
        // No test of a server process sends webhooks; the dispatcher's reads would only add load.
        environment["WEBHOOK_POLL_INTERVAL"] = "600000"
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
            try await signIn()
        } catch {
            await stop(signal: SIGKILL)
            throw error
        }
    }

    /// How long a server may take to listen, and its admin to sign in. Starting takes a second or
    /// two (migrations, the admin's password hash); the limit is far beyond what even the whole suite
    /// on two cores needs, so only a server that hangs reaches it.
    static let startLimit = Duration.seconds(180)

    private func waitUntilListening() async throws {
        var log = ""
        let handle = output.fileHandleForReading
        // Reading the log blocks until the server writes or exits, so the deadline kills a server
        // that does neither: its log then ends and the wait below fails, saying so.
        let pid = process.processIdentifier
        let watchdog = Task {
            guard (try? await Task.sleep(for: Self.startLimit)) != nil else { return false } // cancelled: listening
            kill(pid, SIGKILL)
            return true
        }
        defer { watchdog.cancel() }
        while true {
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
                return
            }
        }
        watchdog.cancel()
        let ending = await watchdog.value ? "it did not listen within \(Self.startLimit) and was killed" : "it exited"
        throw ServerProcessError.didNotStart("\(ending):\n\(log)")
    }

    /// Signs the admin in. Tried again only when the request got no answer at all: a server with a
    /// short idle timeout closes a connection that a loaded test process was too slow to send on.
    /// Any answer but a token fails at once.
    private func signIn() async throws {
        let deadline = ContinuousClock.now + Self.startLimit
        let body = #"{"username": "\#(TestAdmin.username)", "password": "\#(TestAdmin.password)"}"#
        while true {
            let login: APIResponse
            do {
                login = try await exchange(.post, "/auth/login", body: body, headers: [:], port: port, authenticated: false)
            } catch {
                guard ContinuousClock.now < deadline else {
                    throw ServerProcessError.didNotStart("the admin's sign-in got no answer within \(Self.startLimit): \(error)\n\(log)")
                }
                try await Task.sleep(for: .milliseconds(50))
                continue
            }
            guard login.status == .ok, let token = login.json["token"].string else {
                throw ServerProcessError.didNotStart("the admin could not sign in: \(login.status) \(login.body)\n\(log)")
            }
            authorization = "Bearer \(token)"
            return
        }
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
        try? await exchange(method, uri, body: body, headers: headers, port: port ?? self.port, authenticated: authenticated)
    }

    /// As `send`, throwing why the server could not be reached.
    private func exchange(
        _ method: HTTPRequest.Method, _ uri: String, body: String?, headers: HTTPFields, port: Int, authenticated: Bool
    ) async throws -> APIResponse {
        var headers = headers
        if body != nil { headers[.contentType] = "application/json" }
        if authenticated, let authorization, headers[.authorization] == nil { headers[.authorization] = authorization }
        let requestHeaders = headers
        return try await TestClient.withClient(
            host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(90))
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
