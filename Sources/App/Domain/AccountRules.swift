/// What a username and a password may be.
enum AccountRules {
    private static let usernameCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")

    static func username(_ value: String) -> String? {
        guard (3...50).contains(value.unicodeScalars.count), value.allSatisfy(usernameCharacters.contains) else {
            return "must be 3 to 50 characters of A-Z a-z 0-9 . _ -"
        }
        return nil
    }

    /// At least 8 characters (code points); at most 72 bytes, because bcrypt reads no more and a
    /// longer password would be silently truncated.
    static func password(_ value: String) -> String? {
        value.unicodeScalars.count >= 8 && value.utf8.count <= PasswordHasher.maxPasswordBytes ? nil : "must be at least 8 characters and at most 72 bytes long"
    }
}
