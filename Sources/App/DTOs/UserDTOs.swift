import JSONSupport
import Foundation

/// `POST /users` and `PUT /users/{id}`: every field is required.
extension UserFields {
    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let patch = UserPatch(reading: &reader, required: true)
        guard let name = patch.name, let email = patch.email, let phone = patch.phone, reader.problems.isEmpty else {
            throw .validation(reader.problems)
        }
        self.init(name: name, email: email, phone: phone)
    }
}

/// `PATCH /users/{id}`: any subset of the fields.
struct UserPatch: Sendable {
    var name: String?
    var email: String?
    var phone: String?

    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        self.init(reading: &reader, required: false)
        try reader.finish()
    }

    init(reading reader: inout FieldReader, required: Bool) {
        name = reader.string("name", required: required, rule: TextRule.line(1...255))
        email = reader.string("email", required: required, rule: UserRules.email).map(Identity.normalized)
        phone = reader.string("phone", required: required, rule: UserRules.phone)
    }

    func apply(to fields: inout UserFields) {
        if let name { fields.name = name }
        if let email { fields.email = email }
        if let phone { fields.phone = phone }
    }
}

struct UserResponse: JSONResponse {
    let id: Int64
    let name: String
    let email: String
    let phone: String
    let createdAt: Date
    let updatedAt: Date

    init(_ user: User) {
        id = user.id
        name = user.name
        email = user.email
        phone = user.phone
        createdAt = user.createdAt
        updatedAt = user.updatedAt
    }

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("id", id)
            object.field("name", name)
            object.field("email", email)
            object.field("phone", phone)
            object.field("created_at", createdAt)
            object.field("updated_at", updatedAt)
        }
    }
}
