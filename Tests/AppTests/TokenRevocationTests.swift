@testable import App
import Foundation
import Logging
import Testing

/// Every change that can end a token ends it at the next request, however the callers of tokens are
/// looked up (remembered on SQLite, read each time elsewhere), because the store itself notes such a
/// change in its transaction and acts once it has committed; a change rolled back ends nothing.
/// One database at a time: each case migrates a file of its own, and a dozen at once slowed the
/// suites that time SQLite's checkpoints.
@Suite(.serialized) struct TokenRevocationTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// A user, its account and one live token, written through the store alone.
    struct Holder {
        var userID: Int64
        var accountID: Int64
        var tokenID: Int64
        var tokenHash: String
    }

    static func seedHolder(_ name: String, in store: any Store) async throws -> Holder {
        let tokenHash = AuthService.hash("token of \(name)")
        return try await store.transaction { session in
            let user = try await session.insertUser(UserFields(name: name, email: "\(name)@example.com", phone: "5550100"), at: start)
            let account = try await session.insertAccount(username: name, passwordHash: "not a hash", userID: user.id, at: start)
            try await session.insertToken(accountID: account.id, tokenHash: tokenHash, at: start, expiresAt: start + 3600)
            let tokenID = try #require(try await session.callers(tokenHashes: [tokenHash], at: start)[tokenHash]).caller.tokenID
            return Holder(userID: user.id, accountID: account.id, tokenID: tokenID, tokenHash: tokenHash)
        }
    }

    /// Runs `body` with a migrated store on a fresh database.
    static func withMigratedStore(_ body: @escaping @Sendable (any Store, DatabaseLocation) async throws -> Void) async throws {
        try await withTestDatabase { database in
            let logger = Logger(label: "tests")
            try await database.config.database.withStore(logger: logger) { store in
                try await Migrator(store: store, logger: logger).migrate()
                try await body(store, database.config.database)
            }
        }
    }

    /// Each of the store's token-ending changes, made in a transaction of its own with no service
    /// around it: the token, looked up twice before (so remembered where callers are), is refused next.
    @Test(arguments: ["revokeToken", "revokeTokens", "deleteAccount", "deleteUser"])
    func aCommittedChangeEndsARememberedTokenAtOnce(change: String) async throws {
        try await Self.withMigratedStore { store, _ in
            let holder = try await Self.seedHolder("holder", in: store)
            for _ in 0..<2 { #expect(try await store.caller(tokenHash: holder.tokenHash, at: Self.start)?.accountID == holder.accountID) }

            try await store.transaction { session in
                switch change {
                case "revokeToken": try await session.revokeToken(id: holder.tokenID, at: Self.start)
                case "revokeTokens": try await session.revokeTokens(accountID: holder.accountID, keeping: nil, at: Self.start)
                case "deleteAccount": _ = try await session.deleteAccount(id: holder.accountID)
                default: _ = try await session.deleteUser(id: holder.userID)
                }
            }
            #expect(try await store.caller(tokenHash: holder.tokenHash, at: Self.start) == nil)
        }
    }

    /// A transaction that ended a token and then failed ends nothing: the token still works, and no
    /// other process is told to forget its callers.
    @Test func aRolledBackChangeEndsNothing() async throws {
        struct Abandoned: Error {}
        try await Self.withMigratedStore { store, location in
            let holder = try await Self.seedHolder("holder", in: store)
            let signal = try Self.signal(beside: location)
            let before = signal?.current
            #expect(try await store.caller(tokenHash: holder.tokenHash, at: Self.start) != nil)

            await #expect(throws: Abandoned.self) {
                try await store.transaction { session in
                    try await session.revokeTokens(accountID: holder.accountID, keeping: nil, at: Self.start)
                    throw Abandoned()
                }
            }
            #expect(try await store.caller(tokenHash: holder.tokenHash, at: Self.start)?.accountID == holder.accountID)
            #expect(signal?.current == before)
        }
    }

    /// Through the services, as a running server and the `reset-password` command use them: every
    /// change that ends the holder's token ends it for the very next request.
    @Test(arguments: ["logout", "password", "reset-password", "delete account", "delete user"])
    func aServiceChangeEndsARememberedTokenAtOnce(change: String) async throws {
        try await Self.withMigratedStore { store, _ in
            let shop = try await Shop(store: store, hasher: PasswordHasher(cost: 4), now: { Self.start })
            let token = "token of holder"
            let holder = try await Self.seedHolder("holder", in: store)
            let caller = try #require(try await shop.auth.authenticate(token: token))
            #expect(try await shop.auth.authenticate(token: token) == caller)

            switch change {
            case "logout": try await shop.auth.logout(caller)
            case "password":
                _ = try await shop.accounts.update(.id(holder.accountID), AccountPatch(body: .object(["password": .string("a brand new password")])),
                                                       keepingToken: nil)
            case "reset-password": try await shop.auth.resetPassword(username: "holder", password: "a brand new password")
            case "delete account": try await shop.accounts.delete(.id(holder.accountID))
            default: try await shop.users.delete(id: holder.userID)
            }
            #expect(try await shop.auth.authenticate(token: token) == nil, "\(change)")
        }
    }

    /// A change refused before it ended anything (an unknown account or user, the last admin) must not
    /// make every process forget its callers: each would then read the database again for every token.
    @Test func aRefusedChangeTellsNoOtherProcess() async throws {
        try await withTestDatabase { database in
            guard let signal = try Self.signal(beside: database.config.database) else { return }
            let app = try await buildApplication(database.config)
            try await app.test(.router) { base in
                let client = try await APIClient.signedInAsAdmin(base)
                let before = signal.current
                #expect(try await client.delete("/accounts/\(client.adminAccountID)").status == .conflict)
                #expect(try await client.delete("/accounts/999999").status == .notFound)
                #expect(try await client.delete("/users/999999").status == .notFound)
                #expect(try await client.patch("/accounts/999999", #"{"password": "a brand new password"}"#).status == .notFound)
                #expect(signal.current == before, "a refused change signalled the other processes")
            }
        }
    }

    /// The signal that processes sharing an SQLite file read (`TokenChangeSignal`); nil for a server.
    static func signal(beside location: DatabaseLocation) throws -> TokenChangeSignal? {
        guard case .sqliteFile(let path) = location else { return nil }
        return try TokenChangeSignal(databasePath: path)
    }
}
