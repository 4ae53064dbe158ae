import App
import HummingbirdTesting
import Testing

@Suite struct UserTests {
    @Test func createsReadsAndListsAUser() async throws {
        try await withApp { client in
            let created = try await client.post("/users", #"{"name": "  Grace Hopper ", "email": "grace@example.com", "phone": "+1 (555) 010-9999", "id": 999, "created_at": "1999-01-01T00:00:00Z"}"#)
            #expect(created.status == .created)
            #expect(created.json.keys == ["id", "name", "email", "phone", "created_at", "updated_at"])
            #expect(created.json["name"].string == "  Grace Hopper ", "kept as sent")
            let id = try #require(created.json["id"].int)
            #expect(id != 999)
            #expect(created.json["created_at"].string != "1999-01-01T00:00:00Z")

            let read = try await client.get("/users/\(id)")
            #expect(read.status == .ok)
            #expect(read.json == created.json)

            let list = try await client.get("/users?after_id=\(client.adminUserID)")
            #expect(list.status == .ok)
            #expect(list.json.array.map(\.["id"].int) == [id])
        }
    }

    @Test func theOldServicesSingularRouteCreatesToo() async throws {
        try await withApp { client in
            let created = try await client.post("/user", #"{"name": "Old Client", "email": "old@example.com", "phone": "5550001111"}"#)
            #expect(created.status == .created)
            #expect(try await client.get("/users/\(try #require(created.json["id"].int))").status == .ok)
        }
    }

    @Test func reportsEveryInvalidFieldAtOnce() async throws {
        try await withApp { client in
            let response = try await client.post("/users", #"{"name": "   ", "email": "not-an-address", "phone": "12ab"}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["error"].bool == true)
            #expect(response.json["details"].keys == ["name", "email", "phone"])
        }
    }

    @Test func missingNullAndWrongTypesAreReported() async throws {
        try await withApp { client in
            let response = try await client.post("/users", #"{"name": null, "email": 42}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"]["name"][0].string == "must not be null")
            #expect(response.json["details"]["email"][0].string == "must be a string, not a number")
            #expect(response.json["details"]["phone"][0].string == "is required")
        }
    }

    @Test(arguments: ["a@b", "a@@b.com", "a b@c.com", "@example.com", "user@-bad.com", "user@exa_mple.com"])
    func rejectsInvalidEmails(email: String) async throws {
        try await withApp { client in
            let response = try await client.post("/users", #"{"name": "X", "email": "\#(email)", "phone": "5551234567"}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"]["email"].array.count == 1)
        }
    }

    @Test(arguments: ["123456", "+1 (555) abc-1234", "123456789012345678901", "++++----()7"])
    func rejectsInvalidPhones(phone: String) async throws {
        try await withApp { client in
            let response = try await client.post("/users", #"{"name": "X", "email": "x@example.com", "phone": "\#(phone)"}"#)
            #expect(response.status == .badRequest)
            #expect(!response.json["details"]["phone"].isNull)
        }
    }

    @Test func emailIsUniqueIgnoringCaseOnCreateAndUpdate() async throws {
        try await withApp { client in
            _ = try await client.createUser(email: "Taken@Example.com")
            let duplicate = try await client.post("/users", #"{"name": "B", "email": "taken@example.COM", "phone": "5551234567"}"#)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.json["details"]["email"][0].string == "is already taken")

            let other = try await client.createUser(email: "other@example.com")
            let update = try await client.patch("/users/\(other)", #"{"email": "TAKEN@example.com"}"#)
            #expect(update.status == .conflict)
            #expect(try await client.get("/users/\(other)").json["email"].string == "other@example.com")
        }
    }

    @Test func putReplacesAllFieldsAndRequiresThem() async throws {
        try await withApp { client in
            let id = try await client.createUser(name: "Before", email: "before@example.com")
            let partial = try await client.put("/users/\(id)", #"{"name": "After"}"#)
            #expect(partial.status == .badRequest)
            #expect(partial.json["details"].keys == ["email", "phone"])

            let replaced = try await client.put("/users/\(id)", #"{"name": "After", "email": "after@example.com", "phone": "5559876543"}"#)
            #expect(replaced.status == .ok)
            #expect(replaced.json["name"].string == "After")
            #expect(replaced.json["email"].string == "after@example.com")
            #expect(try await client.get("/users/\(id)").json["phone"].string == "5559876543")
        }
    }

    @Test func patchChangesOnlyTheGivenFields() async throws {
        try await withApp { client in
            let id = try await client.createUser(name: "Before", email: "keep@example.com")
            let patched = try await client.patch("/users/\(id)", #"{"name": "After"}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["name"].string == "After")
            #expect(patched.json["email"].string == "keep@example.com")
        }
    }

    @Test func deletingAUserAlsoDeletesTheirAccount() async throws {
        try await withApp { client in
            let id = try await client.createUser()
            let account = try await client.createAccount(userID: id)
            #expect(try await client.delete("/users/\(id)").status == .noContent)
            #expect(try await client.get("/users/\(id)").status == .notFound)
            #expect(try await client.get("/accounts/\(account)").status == .notFound)
            #expect(try await client.delete("/users/\(id)").status == .notFound)
        }
    }

    @Test func aUserWithOrdersCannotBeDeleted() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct()
            #expect(try await client.placeOrder(userID: user, items: [(product, 1)]).status == .created)
            let response = try await client.delete("/users/\(user)")
            #expect(response.status == .conflict)
            #expect(try await client.get("/users/\(user)").status == .ok)
        }
    }

    @Test(arguments: ["/users/0", "/users/abc", "/users/-1", "/users/1.5", "/users/99999999999999999999", "/users/42"])
    func unknownOrInvalidIdsAreNotFound(path: String) async throws {
        try await withApp { client in
            let response = try await client.get(path)
            #expect(response.status == .notFound)
            #expect(response.json["error"].bool == true)
        }
    }

    @Test func stringsAreStoredLiterally() async throws {
        try await withApp { client in
            let name = #"Robert'); DROP TABLE users;-- <b>\"quoted\"</b> 🦄"#
            let created = try await client.post("/users", #"{"name": "\#(name)", "email": "bobby@example.com", "phone": "5551234567"}"#)
            #expect(created.status == .created)
            let read = try await client.get("/users/\(try #require(created.json["id"].int))")
            #expect(read.json["name"].string == "Robert'); DROP TABLE users;-- <b>\"quoted\"</b> 🦄")
            #expect(try await client.list("/users").count == 1)
        }
    }

    /// Names are one line of visible text: control characters (a newline among them) and blank names are refused.
    @Test(arguments: [#"first\nsecond"#, #"tab\there"#, #"bell\u0007"#, #"\u0085"#, #"\u3000 \t"#])
    func namesWithControlCharactersOrNothingVisibleAreRefused(name: String) async throws {
        try await withApp { client in
            let response = try await client.post("/users", #"{"name": "\#(name)", "email": "c@example.com", "phone": "5551234567"}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["name"])
        }
    }

    @Test func idsAreNeverReusedAfterADelete() async throws {
        try await withApp { client in
            let first = try await client.createUser(email: "first@example.com")
            #expect(try await client.delete("/users/\(first)").status == .noContent)
            let second = try await client.createUser(email: "second@example.com")
            #expect(second > first)
        }
    }
}
