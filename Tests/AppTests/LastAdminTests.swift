@testable import App
import Foundation
import HTTPTypes
import Logging
import Testing

/// A shop never loses its only admin through the API.
@Suite struct LastAdminTests {
    @Test func theLastAdminCannotDeleteItsOwnAccountOrUser() async throws {
        try await withApp { client in
            for uri in ["/accounts/\(client.adminAccountID)", "/users/\(client.adminUserID)", "/users/\(client.adminUserID)/account"] {
                let refused = try await client.delete(uri)
                #expect(refused.status == .conflict, "\(uri)")
                #expect(refused.json["reason"].string?.contains("admin") == true, "\(refused.body)")
            }
            #expect(try await client.get("/auth/me").status == .ok)
        }
    }

    @Test func anAdminMayGoWhileAnotherRemains() async throws {
        try await withTestDatabase { database in
            try await runMigrations(database.config, revert: false, all: false)
            try await createAdmin(database.config, username: "second-admin", password: "second-admin-pw",
                                  name: nil, email: nil, phone: nil)
            let app = try await buildApplication(database.config)
            try await app.test(.router) { base in
                let admin = try await APIClient.signedInAsAdmin(base)
                let second = try await admin.anonymous.post("/auth/login", #"{"username": "second-admin", "password": "second-admin-pw"}"#)
                let secondID = try #require(second.json["account"]["id"].int)
                #expect(try await admin.delete("/accounts/\(secondID)").status == .noContent)
                #expect(try await admin.delete("/accounts/\(admin.adminAccountID)").status == .conflict)
            }
        }
    }

    /// Each admin was allowed its request (its token checked) before either deletion: both run at once.
    @Test func twoAdminsDeletingEachOtherAtOnceLeaveOne() async throws {
        for _ in 0..<5 {
            try await withTestDatabase { database in
                try await runMigrations(database.config, revert: false, all: false)
                try await database.config.database.withStore(logger: Logger(label: "test")) { store in
                    let shop = try await Shop(store: store, hasher: PasswordHasher(cost: 4))
                    var admins: [Account] = []
                    for index in 0..<2 {
                        admins.append(try await shop.auth.createAdmin(
                            username: "rival-\(index)", password: "rival-password",
                            user: UserFields(name: "Rival", email: "rival\(index)@example.com", phone: "5551234567")
                        ))
                    }
                    // One deletes the other's user (and with it its account), the other the first's account.
                    let (first, second) = (admins[0], admins[1])
                    async let byFirst = outcome { try await shop.users.delete(id: second.userID) }
                    async let bySecond = outcome { try await shop.accounts.delete(.id(first.id)) }
                    let outcomes = await [byFirst, bySecond]
                    #expect(outcomes.filter { $0 == nil }.count == 1, "\(outcomes)")
                    #expect(outcomes.contains { ($0 as? AppError).map { if case .conflict = $0 { true } else { false } } == true })
                    #expect(try await store.read { try await $0.adminAccountIDs(lock: false) }.count == 1)
                }
            }
        }
    }
}

/// Nil when `work` succeeds, else its error.
private func outcome(_ work: @Sendable () async throws -> Void) async -> (any Error)? {
    do {
        try await work()
        return nil
    } catch {
        return error
    }
}
