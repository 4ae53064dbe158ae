import Crypto
import Foundation

/// An endpoint's signing secret as the Standard Webhooks specification serialises it: `whsec_`
/// followed by the base64 of the key's bytes (32 random bytes here). The key is the decoded bytes,
/// not the text — unlike Stripe's scheme, which keys its HMAC with the whole string.
public struct WebhookSecret: Sendable, Equatable {
    public static let prefix = "whsec_"
    public let text: String
    /// The key's bytes (kept as bytes: `SymmetricKey` is not `Sendable`).
    let keyBytes: [UInt8]
    var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    /// Nil unless `text` is `whsec_` followed by base64 of at least 24 bytes.
    public init?(_ text: String) {
        guard text.hasPrefix(Self.prefix), let bytes = Data(base64Encoded: String(text.dropFirst(Self.prefix.count))),
              bytes.count >= 24
        else { return nil }
        self.text = text
        keyBytes = Array(bytes)
    }

    /// A new secret from the system's secure random source.
    public static func generate() -> WebhookSecret {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        // The text of fresh random bytes always parses.
        return WebhookSecret(Self.prefix + bytes.base64EncodedString())!
    }

    /// The last four characters, to tell secrets apart without showing them.
    public var hint: String { String(text.suffix(4)) }

    public static func == (lhs: WebhookSecret, rhs: WebhookSecret) -> Bool { lhs.text == rhs.text }
}
