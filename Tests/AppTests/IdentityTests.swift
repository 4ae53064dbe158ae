@testable import App
import Foundation
import Logging
import SQLKit
import Testing

/// Emails and usernames are one identity whatever their letter case or Unicode normalization, and
/// invisible characters that could make two identities look alike are refused.
@Suite struct IdentityTests {
    private func createUser(_ client: APIClient, email: String, name: String = "Ada") async throws -> APIResponse {
        try await client.post("/users", #"{"name": "\#(name)", "email": "\#(email)", "phone": "+44 20 7946 0000"}"#)
    }

    @Test(arguments: [
        (#"\u00c4bc@x.com"#, #"\u00e4bc@x.com"#),  // Ä / ä
        (#"caf\u00e9@x.com"#, #"cafe\u0301@x.com"#),  // NFC / NFD é
        (#"CAF\u00c9@x.com"#, #"cafe\u0301@x.com"#),  // both at once
        (#"stra\u00dfe@x.com"#, #"STRASSE@x.com"#),  // ß folds to ss
        (#"\u03a3igma@x.com"#, #"\u03c2igma@x.com"#),  // Σ / final ς
    ])
    func emailsThatDifferOnlyByCaseOrNormalizationAreOneIdentity(first: String, second: String) async throws {
        try await withApp { client in
            #expect(try await createUser(client, email: first).status == .created)
            let taken = try await createUser(client, email: second)
            #expect(taken.status == .conflict, "\(taken.body)")
            let user = try await client.createUser()
            let patched = try await client.patch("/users/\(user)", #"{"email": "\#(second)"}"#)
            #expect(patched.status == .conflict, "\(patched.body)")
        }
    }

    @Test func emailsAreStoredInNFC() async throws {
        try await withApp { client in
            let created = try await createUser(client, email: #"cafe\u0301@x.com"#)
            #expect(created.json["email"].string == "caf\u{E9}@x.com")
            #expect(created.json["email"].string?.unicodeScalars.count == 10)
            let id = try #require(created.json["id"].int)
            #expect(try await client.get("/users/\(id)").json["email"].string?.unicodeScalars.count == 10)
        }
    }

    @Test func usernamesAreOneIdentityIgnoringCaseAndSignInAnyCase() async throws {
        try await withApp { client in
            let first = try await client.createUser(), second = try await client.createUser()
            _ = try await client.createAccount(userID: first, username: "Grace")
            let taken = try await client.post("/accounts", #"{"username": "gRACE", "password": "correct horse", "user_id": \#(second)}"#)
            #expect(taken.status == .conflict, "\(taken.body)")
            let login = try await client.anonymous.post("/auth/login", #"{"username": "GRACE", "password": "correct horse"}"#)
            #expect(login.status == .ok, "\(login.body)")
        }
    }

    @Test(arguments: [#"\u202e"#, #"\u200b"#, #"\u200c"#, #"\u200d"#, #"\ufeff"#, #"\u0007"#, #"\u2066"#])
    func invisibleCharactersAreRefusedInIdentitiesNamesAndSKUs(character: String) async throws {
        try await withApp { client in
            let email = try await createUser(client, email: "ad\(character)a@x.com")
            #expect(email.status == .badRequest)
            #expect(email.json["details"]["email"] != .null, "\(email.body)")
            let name = try await createUser(client, email: "ok@x.com", name: "Ad\(character)a")
            #expect(name.status == .badRequest)
            #expect(name.json["details"]["name"] != .null, "\(name.body)")
            let user = try await client.createUser()
            let account = try await client.post("/accounts", #"{"username": "gr\#(character)ace", "password": "correct horse", "user_id": \#(user)}"#)
            #expect(account.json["details"]["username"] != .null, "\(account.body)")
            let product = try await client.post("/products", #"{"name": "Lamp\#(character)", "price": 1, "quantity": 1}"#)
            #expect(product.json["details"]["name"] != .null, "\(product.body)")
            let sku = try await client.post("/products", #"{"name": "Lamp", "sku": "L\#(character)1", "price": 1, "quantity": 1}"#)
            #expect(sku.json["details"]["sku"] != .null, "\(sku.body)")
            #expect(try await client.list("/products").isEmpty)
        }
    }

    /// Rows stored before identities were folded may collide once they are: the migration stops and
    /// names them, rather than picking one.
    @Test func theMigrationStopsNamingRowsThatCollideOnceFolded() async throws {
        try await withTestDatabase { database in
            try await runMigrations(database.config, revert: false, all: false)
            while try await runMigrations(database.config, revert: true, all: false) != ["fold_identities"] {}
            let ids = try await database.config.database.withStore(logger: Logger(label: "test")) { store in
                try await store.transaction { session in
                    var ids: [Int64] = []
                    for email in ["caf\u{E9}@x.com", "CAFE\u{301}@x.com", "other@x.com"] {
                        ids.append(try await session.insertReturningID("""
                            INSERT INTO users (name, email, phone, created_at, updated_at)
                            VALUES ('N', \(bind: email), '+44 20 7946 0000', \(bind: Date()), \(bind: Date()))
                            """))
                    }
                    return ids
                }
            }
            await #expect {
                try await runMigrations(database.config, revert: false, all: false)
            } throws: { error in
                let message = "\(error)"
                return message.contains("users \(ids[0]) (caf\u{E9}@x.com), \(ids[1]) (CAFE\u{301}@x.com) have the same email")
                    && !message.contains("other@x.com")
            }
            let emails = try await database.config.database.withStore(logger: Logger(label: "test")) { store in
                try await store.read { session in
                    try await session.sql.raw("SELECT email FROM users ORDER BY id").all().map { try $0.decode(column: "email", as: String.self) }
                }
            }
            #expect(emails.map { Array($0.unicodeScalars) } == ["caf\u{E9}@x.com", "CAFE\u{301}@x.com", "other@x.com"].map { Array($0.unicodeScalars) },
                    "nothing is rewritten")
        }
    }
}
