@testable import App
import Foundation
import HTTPTypes
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

    @Test func twoAdminsDeletingEachOtherAtOnceLeaveOne() async throws {
        for _ in 0..<5 {
            try await withTestDatabase { database in
                try await runMigrations(database.config, revert: false, all: false)
                try await createAdmin(database.config, username: "rival-admin", password: "rival-admin-pw",
                                      name: nil, email: nil, phone: nil)
                let app = try await buildApplication(database.config)
                try await app.test(.live) { base in
                    let first = try await APIClient.signedInAsAdmin(base)
                    let login = try await first.anonymous.post("/auth/login", #"{"username": "rival-admin", "password": "rival-admin-pw"}"#)
                    let second = first.as(try #require(login.json["token"].string))
                    let secondUser = try #require(login.json["account"]["user_id"].int)
                    async let firstDeletes = first.delete("/users/\(secondUser)")
                    async let secondDeletes = second.delete("/users/\(first.adminUserID)")
                    let statuses = try await [firstDeletes.status, secondDeletes.status]
                    #expect(statuses.filter { $0 == .noContent }.count == 1, "\(statuses)")
                    let admins = try await [first.get("/auth/me").status, second.get("/auth/me").status]
                    #expect(admins.filter { $0 == .ok }.count == 1, "\(admins)")
                }
            }
        }
    }
}
