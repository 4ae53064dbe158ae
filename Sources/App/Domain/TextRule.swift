/// Text rules shared by the domain's fields. Lengths count Unicode code points, as JSON Schema's `maxLength`
/// does, so the published contract and the server agree on every string.
enum TextRule {
    static func length(_ range: ClosedRange<Int>) -> @Sendable (String) -> String? {
        { value in
            range.contains(value.unicodeScalars.count) ? nil : "must be \(range.lowerBound) to \(range.upperBound) characters long"
        }
    }

    /// A single line of visible text (names, SKUs, reasons): within `range`, not only white space,
    /// and without control or format characters (`Identity.containsInvisibleCharacters`). Kept as
    /// sent: surrounding spaces are the client's to trim.
    static func line(_ range: ClosedRange<Int>) -> @Sendable (String) -> String? {
        { value in
            if Identity.containsInvisibleCharacters(value) {
                return "must not contain control or format characters"
            }
            if !value.isEmpty, value.unicodeScalars.allSatisfy(\.properties.isWhitespace) {
                return "must not be blank"
            }
            return length(range)(value)
        }
    }
}
