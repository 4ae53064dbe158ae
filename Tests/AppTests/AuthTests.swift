@testable import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct AuthTests {
    static func registration(_ name: String, password: String = "correct horse battery", extra: String = "") -> String {
        #"{"name": "\#(name)", "email": "\#(name)@example.com", "phone": "5551234567", "username": "\#(name)", "password": "\#(password)"\#(extra)}"#
    }

    @Test func registeringCreatesUserAccountAndToken() async throws {
        try await withApp { client in
            let response = try await client.anonymous.post("/auth/register", Self.registration("newbie"))
            #expect(response.status == .created)
            #expect(response.json.keys == ["user", "account", "token", "token_type", "expires_at"])
            #expect(response.json["token_type"].string == "Bearer")
            #expect(response.json["account"]["role"].string == "customer")
            #expect(response.json["account"]["user_id"].int == response.json["user"]["id"].int)
            #expect(!response.body.contains("correct horse") && !response.body.contains("password"))
            let token = try #require(response.json["token"].string)
            #expect(token.count >= 43)

            let me = try await client.as(token).get("/auth/me")
            #expect(me.status == .ok)
            #expect(me.json["account"]["username"].string == "newbie")
            #expect(me.json["user"]["email"].string == "newbie@example.com")
        }
    }

    @Test func registrationFollowsTheUserAndAccountRules() async throws {
        try await withApp { client in
            let invalid = try await client.anonymous.post("/auth/register", #"{"name": "", "email": "x", "phone": "1", "username": "a", "password": "short"}"#)
            #expect(invalid.status == .badRequest)
            #expect(invalid.json["details"].keys == ["name", "email", "phone", "username", "password"])

            #expect(try await client.anonymous.post("/auth/register", Self.registration("twice")).status == .created)
            let again = try await client.anonymous.post("/auth/register", Self.registration("twice"))
            #expect(again.status == .conflict)
            #expect(try await client.list("/users").count == 1)
        }
    }

    @Test func aRoleInAnyBodyIsIgnored() async throws {
        try await withApp { client in
            let registered = try await client.anonymous.post("/auth/register", Self.registration("sneaky", extra: #", "role": "admin""#))
            #expect(registered.json["account"]["role"].string == "customer")
            let token = try #require(registered.json["token"].string)
            let user = try #require(registered.json["user"]["id"].int)
            let patched = try await client.as(token).patch("/users/\(user)/account", #"{"role": "admin"}"#)
            #expect(patched.json["role"].string == "customer")
            #expect(try await client.as(token).get("/users").status == .forbidden)
        }
    }

    @Test func loginIssuesATokenAndFailuresLookAlike() async throws {
        try await withApp { client in
            _ = try await client.anonymous.post("/auth/register", Self.registration("signer"))
            let login = try await client.anonymous.post("/auth/login", #"{"username": "SIGNER", "password": "correct horse battery"}"#)
            #expect(login.status == .ok)
            #expect(login.json.keys == ["token", "token_type", "expires_at", "account"])
            #expect(try await client.as(try #require(login.json["token"].string)).get("/auth/me").status == .ok)

            let wrongPassword = try await client.anonymous.post("/auth/login", #"{"username": "signer", "password": "wrong password"}"#)
            let unknownUser = try await client.anonymous.post("/auth/login", #"{"username": "nobody", "password": "wrong password"}"#)
            #expect(wrongPassword.status == .unauthorized)
            #expect(unknownUser.status == .unauthorized)
            #expect(wrongPassword.json["reason"] == unknownUser.json["reason"])
            #expect(try await client.anonymous.post("/auth/login", #"{"username": "signer"}"#).status == .badRequest)
        }
    }

    @Test func aPasswordLongerThanBcryptReadsNeverMatches() async throws {
        try await withApp { client in
            // 72 bytes, the most Bcrypt reads: 70 ASCII and a two-byte é.
            let password = String(repeating: "p", count: 70) + "é"
            #expect(try await client.anonymous.post("/auth/register", Self.registration("longpass", password: password)).status == .created)
            #expect(try await client.anonymous.post("/auth/login", #"{"username": "longpass", "password": "\#(password)"}"#).status == .ok)
            let wrong = try await client.anonymous.post("/auth/login", #"{"username": "longpass", "password": "wrong password"}"#)
            for suffix in ["x", "é", String(repeating: "z", count: 100)] {
                let longer = try await client.anonymous.post("/auth/login", #"{"username": "longpass", "password": "\#(password + suffix)"}"#)
                #expect(longer.status == .unauthorized, "\(suffix)")
                #expect(longer.body == wrong.body)
            }
        }
    }

    @Test func missingOrInvalidTokensAreUnauthorized() async throws {
        try await withApp { client in
            for caller in [client.anonymous, client.as("not-a-token"), client.anonymous] {
                let response = try await caller.get("/auth/me")
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                #expect(response.json["error"].bool == true)
            }
            let basic = try await client.send(.get, "/auth/me", headers: [.authorization: "Basic dXNlcjpwYXNz"])
            #expect(basic.status == .unauthorized)
            // A bad token on a public route is simply ignored.
            #expect(try await client.as("not-a-token").get("/products").status == .ok)
        }
    }

    @Test func logoutRevokesTheToken() async throws {
        try await withApp { client in
            let token = try #require(try await client.anonymous.post("/auth/register", Self.registration("leaver")).json["token"].string)
            #expect(try await client.as(token).post("/auth/logout", "").status == .noContent)
            #expect(try await client.as(token).get("/auth/me").status == .unauthorized)
            #expect(try await client.as(token).post("/auth/logout", "").status == .unauthorized)
        }
    }

    /// A token just used is remembered (on SQLite); ending it must end it at once all the same. (Not
    /// probed with /auth/me, which reads the account anyway.)
    @Test func deletingTheAccountOrItsUserEndsItsTokens() async throws {
        try await withApp { client in
            for (name, deletion) in [("gone-account", "/accounts/"), ("gone-user", "/users/")] {
                let registered = try await client.anonymous.post("/auth/register", Self.registration(name))
                let token = try #require(registered.json["token"].string)
                let id = try #require(registered.json[deletion == "/users/" ? "user" : "account"]["id"].int)
                #expect(try await client.as(token).get("/orders").status == .ok)
                #expect(try await client.delete("\(deletion)\(id)").status == .noContent)
                #expect(try await client.as(token).get("/orders").status == .unauthorized, "\(deletion)")
            }
        }
    }

    @Test func tokensExpireAfterTheirLifetime() async throws {
        let clock = TestClock()
        try await withApp(configure: { $0.tokenLifetime = .seconds(3600) }, clock: clock) { client in
            let registered = try await client.anonymous.post("/auth/register", Self.registration("brief"))
            let token = try #require(registered.json["token"].string)
            let expiresAt = try #require(registered.json["expires_at"].string)
            #expect(try await client.as(token).get("/auth/me").status == .ok)
            clock.advance(by: 3500)
            #expect(try await client.as(token).get("/auth/me").status == .ok)
            clock.advance(by: 200)
            #expect(try await client.as(token).get("/auth/me").status == .unauthorized)
            #expect(!expiresAt.isEmpty)
        }
    }

    @Test func changingThePasswordRevokesTheAccountsOtherTokens() async throws {
        try await withApp { client in
            let registered = try await client.anonymous.post("/auth/register", Self.registration("changer"))
            let user = try #require(registered.json["user"]["id"].int)
            let current = try #require(registered.json["token"].string)
            let other = try #require(try await client.anonymous.post("/auth/login", #"{"username": "changer", "password": "correct horse battery"}"#).json["token"].string)

            #expect(try await client.as(current).patch("/users/\(user)/account", #"{"username": "changer2"}"#).status == .ok)
            #expect(try await client.as(other).get("/auth/me").status == .ok, "a new username keeps tokens")

            #expect(try await client.as(current).patch("/users/\(user)/account", #"{"password": "a brand new one"}"#).status == .ok)
            #expect(try await client.as(current).get("/auth/me").status == .ok)
            #expect(try await client.as(other).get("/auth/me").status == .unauthorized)
            let relogin = try await client.anonymous.post("/auth/login", #"{"username": "changer2", "password": "a brand new one"}"#)
            #expect(relogin.status == .ok)
        }
    }

    @Test func repeatedFailuresThrottleTheUsername() async throws {
        try await withApp { client in
            _ = try await client.anonymous.post("/auth/register", Self.registration("target"))
            _ = try await client.anonymous.post("/auth/register", Self.registration("bystander"))
            for _ in 0..<10 {
                let failed = try await client.anonymous.post("/auth/login", #"{"username": "target", "password": "guess guess"}"#)
                #expect(failed.status == .unauthorized)
            }
            let blocked = try await client.anonymous.post("/auth/login", #"{"username": "Target", "password": "correct horse battery"}"#)
            #expect(blocked.status == .tooManyRequests)
            let retryAfter = try #require(blocked.headers[.retryAfter].flatMap { Int($0) })
            #expect((1...900).contains(retryAfter))
            let other = try await client.anonymous.post("/auth/login", #"{"username": "bystander", "password": "correct horse battery"}"#)
            #expect(other.status == .ok)
        }
    }

    @Test(.enabled(if: !TestDatabase.isServer, "reads the SQLite files; on PostgreSQL and MySQL the same columns hold the same hashes"))
    func neitherPasswordsNorTokensAreStoredInPlainText() async throws {
        try await withTestDatabase { database in
            let app = try await buildApplication(database.config)
            let password = "plain-text-canary-1"
            let token = try await app.test(.router) { base in
                let client = APIClient(base: base, authorization: nil)
                let registered = try await client.post("/auth/register", Self.registration("canary", password: password))
                return try #require(registered.json["token"].string)
            }
            guard case .sqliteFile(let path) = database.config.database else { return }
            let folder = URL(fileURLWithPath: path).deletingLastPathComponent()
            var bytes = Data()
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
                bytes += try Data(contentsOf: folder.appendingPathComponent(file))
            }
            #expect(bytes.count > 0)
            #expect(bytes.range(of: Data(password.utf8)) == nil)
            #expect(bytes.range(of: Data(token.utf8)) == nil)
            #expect(bytes.range(of: Data("canary".utf8)) != nil, "the files hold the data")
        }
    }

    @Test func createAdminMakesAnAdminOnceAndRefusesATakenName() async throws {
        try await withTestDatabase { database in
            func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
                let process = Process()
                let output = Pipe()
                process.executableURL = ServerProcess.executable
                process.arguments = ["create-admin"] + arguments
                process.environment = ["DATABASE_URL": database.url, "BCRYPT_COST": "4", "LOG_LEVEL": "error"]
                process.standardOutput = output
                process.standardError = output
                try process.run()
                return await offCooperativeThreads {
                    process.waitUntilExit()
                    return (process.terminationStatus, String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
                }
            }
            let created = try await run(["--username", "boss", "--password", "boss-password-1"])
            #expect(created.status == 0, "\(created.output)")
            let taken = try await run(["--username", "BOSS", "--password", "boss-password-2"])
            #expect(taken.status != 0)
            #expect(taken.output.contains("username"), "\(taken.output)")
            #expect(!taken.output.contains("Fatal") && taken.output.split(separator: "\n").count <= 2)
            let invalid = try await run(["--username", "b", "--password", "short"])
            #expect(invalid.status != 0)

            let server = try ServerProcess(databaseURL: database.url)
            try await server.start()
            defer { server.terminate() }
            let login = try #require(await server.send(.post, "/auth/login", body: #"{"username": "boss", "password": "boss-password-1"}"#))
            #expect(login.json["account"]["role"].string == "admin")
        }
    }
}
