/// What a user's contact details may be.
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
