@testable import App
import Foundation
import HTTPTypes
import Testing

/// The commands an operator runs beside the service: reset a password, lift a lock-out.
@Suite struct AdminCommandTests {
    /// Runs `ecommerce` with `arguments` and `input` on its standard input.
    static func run(_ arguments: [String], input: String = "", databaseURL: String) async throws -> (status: Int32, output: String) {
        let process = Process()
        let output = Pipe()
        let stdin = Pipe()
        process.executableURL = ServerProcess.executable
        process.arguments = arguments
        process.environment = ["DATABASE_URL": databaseURL, "BCRYPT_COST": "4", "LOG_LEVEL": "error"]
        process.standardOutput = output
        process.standardError = output
        process.standardInput = stdin
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        return await offCooperativeThreads {
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
    }

    @Test func resetPasswordEndsTheTokensOfARunningServerAtOnce() async throws {
        try await withTestDatabase { database in
            let server = try ServerProcess(databaseURL: database.url)
            try await server.start()
            defer { server.terminate() }
            let registered = try #require(await server.send(.post, "/auth/register", body: AuthTests.registration("forgetful"),
                                                            authenticated: false))
            let token = try #require(registered.json["token"].string)
            let asUser: HTTPFields = [.authorization: "Bearer \(token)"]
            // Used twice, so a server that remembers callers has it remembered.
            for _ in 0..<2 { #expect(await server.send(.get, "/auth/me", headers: asUser)?.status == .ok) }

            let reset = try await Self.run(["reset-password", "--username", "Forgetful", "--password-stdin"],
                                           input: "a fresh password\n", databaseURL: database.url)
            #expect(reset.status == 0, "\(reset.output)")
            #expect(!reset.output.contains("a fresh password"))

            #expect(await server.send(.get, "/auth/me", headers: asUser)?.status == .unauthorized)
            let old = await server.send(.post, "/auth/login", body: #"{"username": "forgetful", "password": "correct horse battery"}"#,
                                        authenticated: false)
            #expect(old?.status == .unauthorized)
            let new = await server.send(.post, "/auth/login", body: #"{"username": "forgetful", "password": "a fresh password"}"#,
                                        authenticated: false)
            #expect(new?.status == .ok)
        }
    }

    @Test func unlockClearsTheFailuresOfOneUsername() async throws {
        try await withTestDatabase { database in
            let server = try ServerProcess(databaseURL: database.url)
            try await server.start()
            defer { server.terminate() }
            for name in ["locked", "other"] {
                _ = await server.send(.post, "/auth/register", body: AuthTests.registration(name), authenticated: false)
                for _ in 0..<AuthService.failuresAllowed {
                    _ = await server.send(.post, "/auth/login", body: #"{"username": "\#(name)", "password": "wrong password"}"#,
                                          authenticated: false)
                }
            }
            let right = #"{"username": "locked", "password": "correct horse battery"}"#
            #expect(await server.send(.post, "/auth/login", body: right, authenticated: false)?.status == .tooManyRequests)

            let unlock = try await Self.run(["unlock", "--username", "LOCKED"], databaseURL: database.url)
            #expect(unlock.status == 0, "\(unlock.output)")
            #expect(await server.send(.post, "/auth/login", body: right, authenticated: false)?.status == .ok)
            let other = #"{"username": "other", "password": "correct horse battery"}"#
            #expect(await server.send(.post, "/auth/login", body: other, authenticated: false)?.status == .tooManyRequests)
        }
    }

    @Test func passwordCommandsReadStandardInputAndRefuseBadInput() async throws {
        try await withTestDatabase { database in
            let created = try await Self.run(["create-admin", "--username", "piped", "--password-stdin"],
                                             input: "piped-password-1\n", databaseURL: database.url)
            #expect(created.status == 0, "\(created.output)")
            let short = try await Self.run(["reset-password", "--username", "piped", "--password-stdin"],
                                           input: "short\n", databaseURL: database.url)
            #expect(short.status != 0)
            #expect(short.output.contains("password"), "\(short.output)")
            let unknown = try await Self.run(["reset-password", "--username", "nobody", "--password-stdin"],
                                             input: "long enough password\n", databaseURL: database.url)
            #expect(unknown.status != 0)
            #expect(unknown.output.contains("nobody"), "\(unknown.output)")
            let help = try await Self.run(["create-admin", "--help"], databaseURL: database.url)
            #expect(help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ").contains("process list"), "\(help.output)")
        }
    }
}
