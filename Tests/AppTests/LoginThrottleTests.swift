@testable import App
import Foundation
import HTTPTypes
import Testing

/// The per-username limit on failed sign-ins holds whatever the concurrency, within one instance and
/// across instances sharing a database.
@Suite struct LoginThrottleTests {
    /// At most `failuresAllowed` wrong passwords were checked; every other answer says when to retry.
    static func expectThrottled(_ responses: [APIResponse], sourceLocation: SourceLocation = #_sourceLocation) {
        let checked = responses.filter { $0.status == .unauthorized }.count
        #expect(checked <= AuthService.failuresAllowed, "\(checked) wrong passwords were checked", sourceLocation: sourceLocation)
        #expect(responses.contains { $0.status == .tooManyRequests }, sourceLocation: sourceLocation)
        for response in responses where response.status != .unauthorized {
            #expect(response.status == .tooManyRequests || response.status == .serviceUnavailable,
                    "\(response.status) \(response.body)", sourceLocation: sourceLocation)
            #expect(response.headers[.retryAfter].flatMap { Int($0) }.map { $0 >= 1 } == true, sourceLocation: sourceLocation)
        }
    }

    @Test func concurrentWrongPasswordsGetAtMostTenChecks() async throws {
        // A slower hash widens the window between reading the failures and writing one.
        try await withApp(.live, configure: { $0.bcryptCost = 8 }) { client in
            _ = try await client.anonymous.post("/auth/register", AuthTests.registration("raced"))
            let responses = try await concurrentResponses(60, port: try #require(client.port), .post, "/auth/login") {
                #"{"username": "raced", "password": "wrong guess \#($0)"}"#
            }
            Self.expectThrottled(responses)
        }
    }

    @Test func aRightPasswordDoesNotCountAsAFailure() async throws {
        try await withApp { client in
            _ = try await client.anonymous.post("/auth/register", AuthTests.registration("regular"))
            for _ in 0..<(AuthService.failuresAllowed + 5) {
                let login = try await client.anonymous.post("/auth/login", #"{"username": "regular", "password": "correct horse battery"}"#)
                #expect(login.status == .ok)
            }
            for _ in 0..<(AuthService.failuresAllowed - 1) {
                #expect(try await client.anonymous.post("/auth/login", #"{"username": "regular", "password": "nope nope"}"#).status == .unauthorized)
            }
            #expect(try await client.anonymous.post("/auth/login", #"{"username": "regular", "password": "correct horse battery"}"#).status == .ok)
        }
    }

    @Test(.enabled(if: TestDatabase.isServer, "two servers share a database on PostgreSQL and MySQL only"))
    func twoServersShareTheLimit() async throws {
        try await withTestDatabase { database in
            let servers = try (0..<2).map { _ in try ServerProcess(databaseURL: database.url, environment: ["BCRYPT_COST": "8"]) }
            for server in servers { try await server.start() }
            defer { for server in servers { server.terminate() } }
            let registered = await servers[0].send(.post, "/auth/register", body: AuthTests.registration("shared"), authenticated: false)
            #expect(registered?.status == .created)
            let responses = try await withThrowingTaskGroup(of: [APIResponse].self) { group in
                for server in servers {
                    group.addTask {
                        try await concurrentResponses(30, port: server.port, .post, "/auth/login") {
                            #"{"username": "shared", "password": "wrong guess \#($0)"}"#
                        }
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            Self.expectThrottled(responses)
        }
    }
}
