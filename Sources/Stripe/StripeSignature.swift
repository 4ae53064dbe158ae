import Crypto
import Foundation

/// Stripe's webhook signatures, as Stripe documents them: the `Stripe-Signature` header holds a
/// timestamp `t` and one or more `v1` signatures, each the hex HMAC-SHA256 of "`t`.`payload`" keyed
/// by the endpoint's whole signing secret (`whsec_…`). More than one `v1` appears while a secret is
/// being rolled; any one matching is enough.
public enum StripeSignature {
    /// Stripe's own libraries refuse events signed more than five minutes before they arrive.
    public static let defaultTolerance = 300

    public enum Refusal: Error, Equatable, CustomStringConvertible {
        case missing
        case malformed
        case stale
        case mismatch

        public var description: String {
            switch self {
            case .missing: "The Stripe-Signature header is missing."
            case .malformed: "The Stripe-Signature header has no timestamp or no v1 signature."
            case .stale: "The Stripe-Signature timestamp is too far from now."
            case .mismatch: "No signature in Stripe-Signature matches the payload."
            }
        }
    }

    /// Checks `header` against the raw `payload`; throws why it is refused.
    public static func verify(
        payload: some DataProtocol, header: String?, secret: String, now: Date, tolerance: Int = defaultTolerance
    ) throws(Refusal) {
        guard let header, !header.isEmpty else { throw .missing }
        var timestamp: Int?
        var signatures: [[UInt8]] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            switch pair[0].trimmingCharacters(in: .whitespaces) {
            case "t": timestamp = Int(pair[1])
            case "v1": if let bytes = hexBytes(pair[1]) { signatures.append(bytes) }
            default: continue // v0 and schemes to come are not ours to check
            }
        }
        guard let timestamp, !signatures.isEmpty else { throw .malformed }
        guard abs(Int(now.timeIntervalSince1970) - timestamp) <= tolerance else { throw .stale }
        let expected = mac(payload: payload, secret: secret, timestamp: timestamp)
        // Constant time in the signature's content: a MAC compares itself so (swift-crypto's
        // `safeCompare`), and every candidate is compared.
        let matches = signatures.reduce(false) { found, candidate in expected == candidate || found }
        guard matches else { throw .mismatch }
    }

    /// The header Stripe sends for `payload` signed at `timestamp`; for tests and local tools.
    public static func header(payload: some DataProtocol, secret: String, timestamp: Int) -> String {
        let hex = mac(payload: payload, secret: secret, timestamp: timestamp).map { byte in
            String(byte, radix: 16).leftPadded(to: 2)
        }.joined()
        return "t=\(timestamp),v1=\(hex)"
    }

    private static func mac(payload: some DataProtocol, secret: String, timestamp: Int) -> HMAC<SHA256>.MAC {
        var hmac = HMAC<SHA256>(key: SymmetricKey(data: Array(secret.utf8)))
        hmac.update(data: Array("\(timestamp).".utf8))
        hmac.update(data: payload)
        return hmac.finalize()
    }

    private static func hexBytes(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
