import Crypto
import Foundation

/// Signing to the Standard Webhooks specification: `webhook-signature` carries `v1,` and the base64
/// HMAC-SHA256 of "`webhook-id`.`webhook-timestamp`.`body`", one entry per secret, space-separated
/// (two while a rotated secret's overlap lasts).
public enum StandardWebhooks {
    /// The three signature headers of one delivery attempt.
    public static func headers(id: String, timestamp: Int, body: [UInt8], secrets: [WebhookSecret]) -> [(name: String, value: String)] {
        [("webhook-id", id), ("webhook-timestamp", "\(timestamp)"),
         ("webhook-signature", secrets.map { signature(id: id, timestamp: timestamp, body: body, secret: $0) }.joined(separator: " "))]
    }

    public static func signature(id: String, timestamp: Int, body: [UInt8], secret: WebhookSecret) -> String {
        var hmac = HMAC<SHA256>(key: secret.key)
        hmac.update(data: Array("\(id).\(timestamp).".utf8))
        hmac.update(data: body)
        return "v1," + Data(hmac.finalize()).base64EncodedString()
    }
}
