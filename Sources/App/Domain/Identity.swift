import Foundation

/// How emails and usernames identify someone: stored in NFC, and compared — by the unique indexes
/// and by every lookup — through a key that also ignores letter case. The key is Foundation's
/// case-insensitive folding, which on every platform is Unicode's full case folding without locale
/// tailoring: `ß` and `ẞ` fold to `ss`, final `ς` to `σ`, `ﬁ` to `fi`, `İ` to `i` with a combining
/// dot (no Turkish dotless rules, which would need the user's locale). So `Straße` and `STRASSE`, or
/// a precomposed and a decomposed `é`, are one identity on every database.
public enum Identity {
    /// The form an email or username is stored and shown in.
    public static func normalized(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping
    }

    /// The key two identities are compared by. Folding can decompose (`İ`), so NFC comes last too.
    public static func key(_ text: String) -> String {
        normalized(text).folding(options: [.caseInsensitive], locale: nil).precomposedStringWithCanonicalMapping
    }

    /// Characters that are invisible or reorder text (Unicode categories Cc and Cf: controls, bidi
    /// overrides such as U+202E, zero-width characters, U+FEFF), which would let two identities or
    /// names look alike while differing.
    public static func containsInvisibleCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { [.control, .format].contains($0.properties.generalCategory) }
    }
}
