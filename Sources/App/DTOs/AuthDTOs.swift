import JSONSupport
import Foundation

/// `POST /auth/register`: a user and its account in one request.
struct RegistrationRequest: Sendable {
    var user: UserFields
    var credentials: AccountCredentials

    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let user = UserPatch(reading: &reader, required: true)
        let account = AccountPatch(reading: &reader, required: true)
        guard let name = user.name, let email = user.email, let phone = user.phone,
              let username = account.username, let password = account.password, reader.problems.isEmpty
        else { throw .validation(reader.problems) }
        self.user = UserFields(name: name, email: email, phone: phone)
        credentials = AccountCredentials(username: username, password: password)
    }
}

/// `POST /auth/login`. Only presence is checked: a malformed username simply fails to sign in.
struct LoginRequest: Sendable {
    var username: String
    var password: String

    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let username = reader.string("username", required: true)
        let password = reader.string("password", required: true)
        guard let username, let password, reader.problems.isEmpty else { throw .validation(reader.problems) }
        self.username = username
        self.password = password
    }
}

/// A new bearer token, as the client receives it (the only time the token itself is seen).
struct TokenResponse: Sendable {
    let token: String
    let tokenType = "Bearer"
    let expiresAt: Date

    init(_ token: IssuedToken) {
        self.token = token.value
        expiresAt = token.expiresAt
    }
}

/// The answer to a registration (with the new user) or a login (without): the token's fields at the
/// top level, beside the account.
struct SignInResponse: JSONResponse {
    var user: UserResponse?
    let account: AccountResponse
    let token: TokenResponse

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("token", token.token)
            object.field("token_type", token.tokenType)
            object.field("expires_at", token.expiresAt)
            if let user { object.field("user", user) }
            object.field("account", account)
        }
    }
}

struct MeResponse: JSONResponse {
    let account: AccountResponse
    let user: UserResponse

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("account", account)
            object.field("user", user)
        }
    }
}
