/// The unique constraints of the schema and the request field each protects, so a violation reported
/// by any database becomes a 409 naming the field. The database decides uniqueness; checking first
/// and inserting after would race.
enum UniqueConstraints {
    /// Index name (PostgreSQL and SQLite report it for expression and partial indexes) or the
    /// `table.column` SQLite reports for plain ones, and the field.
    static let fields: [(markers: [String], field: String, entity: String)] = [
        (["users_email_key"], "email", "user"),
        (["accounts_username_key"], "username", "account"),
        (["accounts_user_id_key", "accounts.user_id"], "user_id", "account"),
        (["products_sku_key", "products.sku"], "sku", "product"),
    ]

    /// The conflict for a violation whose driver message or constraint name is `text`.
    static func conflict(describedBy text: String) -> AppError {
        guard let match = fields.first(where: { entry in entry.markers.contains { text.contains($0) } }) else {
            return .conflict("The request conflicts with an existing record.")
        }
        let reason = match.field == "user_id"
            ? "This user already has an account."
            : "Another \(match.entity) already has this \(match.field)."
        return .conflict(reason, details: [match.field: ["is already taken"]])
    }
}
