import JSONSupport
import Foundation

/// `POST /accounts`: username, password and the user the account belongs to.
struct NewAccountRequest: Sendable {
    var credentials: AccountCredentials
    var userID: Int64

    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let patch = AccountPatch(reading: &reader, required: true)
        let userID = reader.integer("user_id", required: true, in: 1...Int64.max)
        guard let username = patch.username, let password = patch.password, let userID,
              reader.problems.isEmpty
        else { throw .validation(reader.problems) }
        credentials = AccountCredentials(username: username, password: password)
        self.userID = userID
    }
}

/// `PUT /accounts/{id}` and `PUT /users/{id}/account`: both fields required.
struct AccountCredentials: Sendable {
    var username: String
    var password: String

    init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let patch = AccountPatch(reading: &reader, required: true)
        guard let username = patch.username, let password = patch.password, reader.problems.isEmpty else {
            throw .validation(reader.problems)
        }
        self.init(username: username, password: password)
    }
}

/// `PATCH` of an account: username, password or both.
struct AccountPatch: Sendable {
    var username: String?
    var password: String?

    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        self.init(reading: &reader, required: false)
        try reader.finish()
    }

    init(username: String?, password: String?) {
        self.username = username
        self.password = password
    }

    init(reading reader: inout FieldReader, required: Bool) {
        username = reader.string("username", required: required, rule: AccountRules.username).map(Identity.normalized)
        password = reader.string("password", required: required, rule: AccountRules.password)
    }
}

/// An account as clients see it: never the password or its hash.
struct AccountResponse: JSONResponse {
    let id: Int64
    let username: String
    let userID: Int64
    let role: String
    let createdAt: Date
    let updatedAt: Date

    init(_ account: Account) {
        id = account.id
        username = account.username
        userID = account.userID
        role = account.role.rawValue
        createdAt = account.createdAt
        updatedAt = account.updatedAt
    }

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("id", id)
            object.field("username", username)
            object.field("user_id", userID)
            object.field("role", role)
            object.field("created_at", createdAt)
            object.field("updated_at", updatedAt)
        }
    }
}
