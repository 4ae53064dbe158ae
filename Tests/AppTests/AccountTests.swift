import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct AccountTests {
    private static let accountKeys: Set<String> = ["id", "username", "user_id", "role", "created_at", "updated_at"]

    // MARK: - Create, read, list

    @Test func createsAnAccountAndRevealsNoPassword() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let created = try await client.post("/accounts", #"{"username": "ada.l-99_", "password": "s3cret passphrase", "user_id": \#(user)}"#)
            #expect(created.status == .created)
            #expect(created.json.keys == Self.accountKeys)
            #expect(created.json["username"].string == "ada.l-99_")
            #expect(created.json["user_id"].int == user)
            #expect(created.json["id"].int != nil)
            #expect(created.json["created_at"].string != nil)
            #expect(created.json["updated_at"].string != nil)
            #expect(!created.body.contains("s3cret passphrase"))
            #expect(!created.body.contains("$2"))
            #expect(!created.body.contains("password"))
        }
    }

    @Test func readingAnAccountRevealsNoPasswordEither() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let id = try await client.createAccount(userID: user, username: "reader", password: "hidden-password")
            for path in ["/accounts/\(id)", "/users/\(user)/account", "/accounts"] {
                let response = try await client.get(path)
                #expect(response.status == .ok)
                #expect(!response.body.contains("hidden-password"), "\(path)")
                #expect(!response.body.contains("$2"), "\(path)")
                #expect(!response.body.contains("password"), "\(path)")
            }
        }
    }

    @Test func getByIDReturnsWhatCreateReturned() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let created = try await client.post("/accounts", #"{"username": "grace", "password": "password123", "user_id": \#(user)}"#)
            let id = try #require(created.json["id"].int)
            let read = try await client.get("/accounts/\(id)")
            #expect(read.status == .ok)
            #expect(read.json == created.json)
        }
    }

    @Test func listStartsEmptyWithoutALink() async throws {
        try await withApp { client in
            let list = try await client.get("/accounts?after_id=\(client.adminAccountID)")
            #expect(list.status == .ok)
            #expect(list.json == .array([]))
            #expect(list.headers[Self.link] == nil)
        }
    }

    @Test func listShowsEveryAccountInIDOrder() async throws {
        try await withApp { client in
            let first = try await client.createAccount(userID: try await client.createUser(), username: "first")
            let second = try await client.createAccount(userID: try await client.createUser(), username: "second")
            let list = try await client.get("/accounts?after_id=\(client.adminAccountID)")
            #expect(list.status == .ok)
            #expect(list.json.array.map(\.["id"].int) == [first, second])
            #expect(list.json.array.map(\.["username"].string) == ["first", "second"])
            #expect(list.json.array.allSatisfy { $0.keys == Self.accountKeys })
        }
    }

    @Test func unknownAccountIDsAreNotFound() async throws {
        try await withApp { client in
            for path in ["/accounts/9999", "/accounts/0", "/accounts/abc", "/accounts/-3"] {
                let response = try await client.get(path)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.json["error"].bool == true, "\(path)")
            }
            #expect(try await client.put("/accounts/5", #"{"username": "nobody", "password": "password123"}"#).status == .notFound)
            #expect(try await client.patch("/accounts/5", #"{"username": "nobody"}"#).status == .notFound)
            #expect(try await client.delete("/accounts/5").status == .notFound)
        }
    }

    // MARK: - Update and delete by id

    @Test func putReplacesUsernameAndPassword() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let id = try await client.createAccount(userID: user, username: "before")
            let replaced = try await client.put("/accounts/\(id)", #"{"username": "after", "password": "brand new password"}"#)
            #expect(replaced.status == .ok)
            #expect(replaced.json.keys == Self.accountKeys)
            #expect(replaced.json["id"].int == id)
            #expect(replaced.json["username"].string == "after")
            #expect(replaced.json["user_id"].int == user)
            #expect(!replaced.body.contains("brand new password"))
            #expect(!replaced.body.contains("$2"))
            #expect(try await client.get("/accounts/\(id)").json["username"].string == "after")
        }
    }

    @Test func putRequiresBothFieldsAndNamesTheMissingOnes() async throws {
        try await withApp { client in
            let id = try await client.createAccount(userID: try await client.createUser(), username: "keepme")

            let noPassword = try await client.put("/accounts/\(id)", #"{"username": "changed"}"#)
            #expect(noPassword.status == .badRequest)
            #expect(noPassword.json["details"].keys == ["password"])
            #expect(noPassword.json["details"]["password"][0].string == "is required")

            let noUsername = try await client.put("/accounts/\(id)", #"{"password": "password123"}"#)
            #expect(noUsername.status == .badRequest)
            #expect(noUsername.json["details"].keys == ["username"])

            let neither = try await client.put("/accounts/\(id)", "{}")
            #expect(neither.status == .badRequest)
            #expect(neither.json["details"].keys == ["username", "password"])

            #expect(try await client.get("/accounts/\(id)").json["username"].string == "keepme")
        }
    }

    @Test func patchChangesOnlyTheUsername() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let id = try await client.createAccount(userID: user, username: "oldname")
            let patched = try await client.patch("/accounts/\(id)", #"{"username": "newname"}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["username"].string == "newname")
            #expect(patched.json["user_id"].int == user)
            #expect(try await client.get("/accounts/\(id)").json["username"].string == "newname")
        }
    }

    @Test func patchAcceptsAPasswordAlone() async throws {
        try await withApp { client in
            let id = try await client.createAccount(userID: try await client.createUser(), username: "steady")
            let patched = try await client.patch("/accounts/\(id)", #"{"password": "another password"}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["username"].string == "steady")
            #expect(patched.json.keys == Self.accountKeys)
            #expect(!patched.body.contains("another password"))
            #expect(!patched.body.contains("$2"))
        }
    }

    @Test func patchValidatesTheFieldsItIsGiven() async throws {
        try await withApp { client in
            let id = try await client.createAccount(userID: try await client.createUser(), username: "valid")
            let response = try await client.patch("/accounts/\(id)", #"{"username": "no spaces allowed", "password": "short"}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["username", "password"])
            #expect(try await client.get("/accounts/\(id)").json["username"].string == "valid")
        }
    }

    @Test func deleteRemovesTheAccountButNotTheUser() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let id = try await client.createAccount(userID: user)
            let deleted = try await client.delete("/accounts/\(id)")
            #expect(deleted.status == .noContent)
            #expect(deleted.body.isEmpty)
            #expect(try await client.get("/accounts/\(id)").status == .notFound)
            #expect(try await client.delete("/accounts/\(id)").status == .notFound)
            #expect(try await client.list("/accounts").isEmpty)
            #expect(try await client.get("/users/\(user)").status == .ok)
            #expect(try await client.get("/users/\(user)/account").status == .notFound)
        }
    }

    @Test func aDeletedAccountFreesItsUsernameAndItsUser() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let first = try await client.createAccount(userID: user, username: "recycled")
            #expect(try await client.delete("/accounts/\(first)").status == .noContent)
            let second = try await client.createAccount(userID: user, username: "RECYCLED")
            let read = try await client.get("/users/\(user)/account")
            #expect(read.json["id"].int == second)
            #expect(read.json["username"].string == "RECYCLED")
            #expect(try await client.list("/accounts").count == 1)
        }
    }

    // MARK: - The account of a user

    @Test func aUsersAccountIsReadableThroughTheUser() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let id = try await client.createAccount(userID: user, username: "viauser")
            let direct = try await client.get("/accounts/\(id)")
            let nested = try await client.get("/users/\(user)/account")
            #expect(nested.status == .ok)
            #expect(nested.json == direct.json)
            #expect(nested.json["id"].int == id)
        }
    }

    @Test func theUserRouteFindsTheRightAccountAmongSeveral() async throws {
        try await withApp { client in
            let alice = try await client.createUser()
            let bob = try await client.createUser()
            _ = try await client.createAccount(userID: alice, username: "alice")
            let bobs = try await client.createAccount(userID: bob, username: "bob")
            let response = try await client.get("/users/\(bob)/account")
            #expect(response.json["id"].int == bobs)
            #expect(response.json["username"].string == "bob")
        }
    }

    @Test func theUserRouteIsNotFoundForAnUnknownUser() async throws {
        try await withApp { client in
            for path in ["/users/42/account", "/users/abc/account", "/users/0/account"] {
                let response = try await client.get(path)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.json["error"].bool == true, "\(path)")
            }
            #expect(try await client.put("/users/42/account", #"{"username": "ghost", "password": "password123"}"#).status == .notFound)
            #expect(try await client.patch("/users/42/account", #"{"username": "ghost"}"#).status == .notFound)
            #expect(try await client.delete("/users/42/account").status == .notFound)
        }
    }

    @Test func theUserRouteIsNotFoundWhenTheUserHasNoAccount() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            #expect(try await client.get("/users/\(user)/account").status == .notFound)
            #expect(try await client.put("/users/\(user)/account", #"{"username": "nobody", "password": "password123"}"#).status == .notFound)
            #expect(try await client.patch("/users/\(user)/account", #"{"username": "nobody"}"#).status == .notFound)
            #expect(try await client.delete("/users/\(user)/account").status == .notFound)
            #expect(try await client.list("/accounts").isEmpty)
        }
    }

    @Test func putThroughTheUserReplacesTheAccount() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let id = try await client.createAccount(userID: user, username: "before")
            let replaced = try await client.put("/users/\(user)/account", #"{"username": "after", "password": "replacement pw"}"#)
            #expect(replaced.status == .ok)
            #expect(replaced.json["id"].int == id)
            #expect(replaced.json["username"].string == "after")
            #expect(!replaced.body.contains("replacement pw"))
            #expect(try await client.get("/accounts/\(id)").json["username"].string == "after")

            let partial = try await client.put("/users/\(user)/account", #"{"username": "again"}"#)
            #expect(partial.status == .badRequest)
            #expect(partial.json["details"].keys == ["password"])
        }
    }

    @Test func patchThroughTheUserChangesTheAccount() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let id = try await client.createAccount(userID: user, username: "before")
            let patched = try await client.patch("/users/\(user)/account", #"{"username": "patched"}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["id"].int == id)
            #expect(patched.json["username"].string == "patched")
            #expect(try await client.get("/accounts/\(id)").json["username"].string == "patched")
        }
    }

    @Test func deleteThroughTheUserRemovesTheAccount() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let id = try await client.createAccount(userID: user)
            #expect(try await client.delete("/users/\(user)/account").status == .noContent)
            #expect(try await client.get("/users/\(user)/account").status == .notFound)
            #expect(try await client.get("/accounts/\(id)").status == .notFound)
            #expect(try await client.delete("/users/\(user)/account").status == .notFound)
            #expect(try await client.get("/users/\(user)").status == .ok)
        }
    }

    // MARK: - Username rules

    @Test(arguments: ["abc", "A.b", "under_score", "dash-ed", "Z9.z_0-", String(repeating: "u", count: 50)])
    func acceptsValidUsernames(username: String) async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let response = try await client.post("/accounts", #"{"username": "\#(username)", "password": "password123", "user_id": \#(user)}"#)
            #expect(response.status == .created, "\(response.body)")
            #expect(response.json["username"].string == username)
        }
    }

    @Test(arguments: ["", "ab", String(repeating: "u", count: 51), "has space", "émile", "semi;colon", "at@sign", "plus+sign", "slash/name", "tab\\tname"])
    func rejectsInvalidUsernames(username: String) async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let response = try await client.post("/accounts", #"{"username": "\#(username)", "password": "password123", "user_id": \#(user)}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["username"])
            #expect(try await client.list("/accounts").isEmpty)
        }
    }

    @Test func usernameMustBeAString() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let response = try await client.post("/accounts", #"{"username": 12345, "password": "password123", "user_id": \#(user)}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"]["username"][0].string == "must be a string, not a number")
        }
    }

    @Test func usernameIsUniqueIgnoringCaseOnCreate() async throws {
        try await withApp { client in
            _ = try await client.createAccount(userID: try await client.createUser(), username: "Taken")
            let other = try await client.createUser()
            let duplicate = try await client.post("/accounts", #"{"username": "tAKEN", "password": "password123", "user_id": \#(other)}"#)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.json["details"]["username"][0].string == "is already taken")
            #expect(try await client.get("/users/\(other)/account").status == .notFound)
            #expect(try await client.list("/accounts").count == 1)
        }
    }

    @Test func usernameIsUniqueIgnoringCaseOnPatchAndPut() async throws {
        try await withApp { client in
            _ = try await client.createAccount(userID: try await client.createUser(), username: "Taken")
            let mine = try await client.createAccount(userID: try await client.createUser(), username: "mine")

            let patched = try await client.patch("/accounts/\(mine)", #"{"username": "TAKEN"}"#)
            #expect(patched.status == .conflict)
            #expect(patched.json["details"]["username"][0].string == "is already taken")

            let replaced = try await client.put("/accounts/\(mine)", #"{"username": "taken", "password": "password123"}"#)
            #expect(replaced.status == .conflict)
            #expect(replaced.json["details"].keys == ["username"])

            #expect(try await client.get("/accounts/\(mine)").json["username"].string == "mine")
        }
    }

    @Test func anAccountMayChangeTheCaseOfItsOwnUsername() async throws {
        try await withApp { client in
            let id = try await client.createAccount(userID: try await client.createUser(), username: "lower")
            let patched = try await client.patch("/accounts/\(id)", #"{"username": "LOWER"}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["username"].string == "LOWER")
        }
    }

    // MARK: - Password rules

    @Test(arguments: [
        String(repeating: "p", count: 8),
        String(repeating: "p", count: 72),
        String(repeating: "é", count: 8),   // 8 characters, 16 bytes
        String(repeating: "é", count: 25),  // 50 bytes
        String(repeating: "é", count: 36),  // 72 bytes
        "with spaces and 🦄",
    ])
    func acceptsPasswordsOf8CharactersAndAtMost72Bytes(password: String) async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let response = try await client.post("/accounts", #"{"username": "pwtest", "password": "\#(password)", "user_id": \#(user)}"#)
            #expect(response.status == .created, "\(password.utf8.count) bytes: \(response.body)")
            #expect(!response.body.contains(password))
        }
    }

    @Test(arguments: [
        "",
        String(repeating: "p", count: 7),
        String(repeating: "é", count: 4),   // 8 bytes, but only 4 characters
        String(repeating: "p", count: 73),
        String(repeating: "é", count: 37),  // 37 characters, 74 bytes
        "🦄🦄🦄🦄🦄🦄🦄🦄🦄🦄🦄🦄🦄🦄🦄🦄🦄🦄🦄", // 19 characters, 76 bytes
    ])
    func rejectsPasswordsShorterThan8CharactersOrLongerThan72Bytes(password: String) async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let response = try await client.post("/accounts", #"{"username": "pwtest", "password": "\#(password)", "user_id": \#(user)}"#)
            #expect(response.status == .badRequest, "\(password.utf8.count) bytes")
            #expect(response.json["details"].keys == ["password"])
            #expect(try await client.list("/accounts").isEmpty)
        }
    }

    @Test func passwordLengthIsCheckedInBytesOnUpdateToo() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let id = try await client.createAccount(userID: user)
            let tooLong = try await client.patch("/accounts/\(id)", #"{"password": "\#(String(repeating: "é", count: 37))"}"#)
            #expect(tooLong.status == .badRequest)
            #expect(tooLong.json["details"].keys == ["password"])
            let fits = try await client.put("/users/\(user)/account", #"{"username": "ada", "password": "\#(String(repeating: "é", count: 25))"}"#)
            #expect(fits.status == .ok)
        }
    }

    @Test func passwordMustNotBeNull() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let response = try await client.post("/accounts", #"{"username": "nullpw", "password": null, "user_id": \#(user)}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"]["password"][0].string == "must not be null")
        }
    }

    // MARK: - user_id

    @Test func userIDMustNameAnExistingUser() async throws {
        try await withApp { client in
            let response = try await client.post("/accounts", #"{"username": "orphan", "password": "password123", "user_id": 4242}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["user_id"])
            #expect(try await client.list("/accounts").isEmpty)
        }
    }

    @Test(arguments: [#""1""#, "0", "-1", "1.5", "null", "true"])
    func userIDMustBeAPositiveInteger(value: String) async throws {
        try await withApp { client in
            _ = try await client.createUser()
            let response = try await client.post("/accounts", #"{"username": "badref", "password": "password123", "user_id": \#(value)}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["user_id"])
        }
    }

    @Test func everyMissingFieldIsReportedAtOnce() async throws {
        try await withApp { client in
            let response = try await client.post("/accounts", "{}")
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["username", "password", "user_id"])
            #expect(response.json["details"]["user_id"][0].string == "is required")
        }
    }

    @Test func aUserHasAtMostOneAccount() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let first = try await client.createAccount(userID: user, username: "one")
            let second = try await client.post("/accounts", #"{"username": "two", "password": "password123", "user_id": \#(user)}"#)
            #expect(second.status == .conflict)
            #expect(second.json["details"]["user_id"][0].string == "is already taken")
            #expect(try await client.list("/accounts").map(\.["id"].int) == [first])
        }
    }

    // MARK: - Fields a client may not set

    @Test func roleHashAndIDInTheBodyAreIgnoredOnCreate() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let forged = "$2b$04$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234"
            let created = try await client.post("/accounts", #"{"id": 777, "role": "admin", "password_hash": "\#(forged)", "username": "sneaky", "password": "password123", "user_id": \#(user)}"#)
            #expect(created.status == .created)
            #expect(created.json.keys == Self.accountKeys)
            #expect(created.json["id"].int != 777)
            #expect(!created.body.contains("admin"))
            #expect(!created.body.contains(forged))
            #expect(try await client.get("/accounts/777").status == .notFound)
        }
    }

    @Test func roleHashAndIDInTheBodyAreIgnoredOnUpdate() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let id = try await client.createAccount(userID: user, username: "stable")
            let patched = try await client.patch("/accounts/\(id)", #"{"id": 777, "role": "admin", "password_hash": "$2b$04$forged", "username": "renamed"}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["id"].int == id)
            #expect(patched.json["username"].string == "renamed")
            #expect(patched.json.keys == Self.accountKeys)
            #expect(!patched.body.contains("admin"))

            let replaced = try await client.put("/accounts/\(id)", #"{"id": 778, "role": "admin", "username": "replaced", "password": "password123"}"#)
            #expect(replaced.status == .ok)
            #expect(replaced.json["id"].int == id)
            #expect(try await client.get("/accounts/778").status == .notFound)
        }
    }

    // MARK: - Pagination

    @Test func followingNextLinksVisitsEveryAccountOnceInOrder() async throws {
        try await withApp { client in
            var created: [Int64] = []
            for index in 1...5 {
                created.append(try await client.createAccount(userID: try await client.createUser(), username: "pager\(index)"))
            }
            var pages: [[Int64]] = []
            var links: [String] = []
            var next: String? = "/accounts?limit=2&after_id=\(client.adminAccountID)"
            while let uri = next, pages.count < 10 {
                let response = try await client.get(uri)
                #expect(response.status == .ok, "\(uri)")
                pages.append(response.json.array.compactMap(\.["id"].int))
                next = try Self.nextLink(response)
                if let next { links.append(next) }
            }
            #expect(pages.map(\.count) == [2, 2, 1])
            let visited = pages.flatMap { $0 }
            #expect(visited == created.sorted())
            #expect(Set(visited).count == visited.count)
            #expect(links.count == 2)
            #expect(links.allSatisfy { $0.hasPrefix("/accounts?") && $0.contains("limit=2") })
        }
    }

    @Test func aFullLastPageStillEndsWithoutALink() async throws {
        try await withApp { client in
            for index in 1...4 {
                _ = try await client.createAccount(userID: try await client.createUser(), username: "even\(index)")
            }
            let first = try await client.get("/accounts?limit=2&after_id=\(client.adminAccountID)")
            let next = try #require(try Self.nextLink(first))
            let second = try await client.get(next)
            #expect(second.json.array.count == 2)
            #expect(try Self.nextLink(second) == nil)
        }
    }

    @Test(arguments: ["limit=0", "limit=201", "limit=abc", "after_id=-1", "after_id=x"])
    func invalidPagingParametersAreRejected(query: String) async throws {
        try await withApp { client in
            let response = try await client.get("/accounts?\(query)")
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == [String(query.prefix { $0 != "=" })])
        }
    }

    // MARK: - Helpers

    private static let link = HTTPField.Name("Link")!

    /// The target of a `Link: <PATH?QUERY>; rel="next"` header, or nil when there is none.
    private static func nextLink(_ response: APIResponse) throws -> String? {
        guard let value = response.headers[link] else { return nil }
        let prefix = "<", suffix = #">; rel="next""#
        try #require(value.hasPrefix(prefix) && value.hasSuffix(suffix), "unexpected Link header: \(value)")
        return String(value.dropFirst(prefix.count).dropLast(suffix.count))
    }
}
