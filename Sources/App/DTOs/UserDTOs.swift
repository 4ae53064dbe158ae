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

enum UserRules {
    /// A pragmatic address check: one `@`, a local part, and a dotted domain of letters, digits and hyphens.
    static func email(_ value: String) -> String? {
        let invalid = "must be a valid email address"
        guard value.utf8.count <= 320 else { return "must be at most 320 characters long" }
        guard !Identity.containsInvisibleCharacters(value) else { return "must not contain control or format characters" }
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
              (1...64).contains(local.utf8.count),
              !local.contains(where: { $0.isWhitespace || $0.isNewline || "<>()[],;:\\\"".contains($0) }),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..")
        else { return invalid }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ label in
            (1...63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { ($0.isLetter || $0.isNumber || $0 == "-") && $0.isASCII }
        }) else { return invalid }
        return nil
    }

    /// 7–20 characters of digits, spaces and `+ - ( )`, with at least 7 digits.
    static func phone(_ value: String) -> String? {
        guard (7...20).contains(value.unicodeScalars.count),
              value.allSatisfy({ ($0.isASCII && $0.isNumber) || " +-()".contains($0) }),
              value.filter({ $0.isASCII && $0.isNumber }).count >= 7
        else { return "must be 7 to 20 characters of digits, spaces and + - ( ), with at least 7 digits" }
        return nil
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
