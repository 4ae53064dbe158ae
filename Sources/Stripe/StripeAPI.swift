import AsyncHTTPClient
import JSONSupport
import NIOCore
import NIOHTTP1

/// The two calls of Stripe's REST API the shop makes: a PaymentIntent for an order's balance, and a
/// refund of one. Form-encoded as Stripe documents, with the secret key as a bearer token and an
/// `Idempotency-Key` on every call, so a retried call never charges or refunds twice.
public struct StripeAPI: Sendable {
    let secretKey: String
    /// `https://api.stripe.com`, or a local server in tests.
    let base: String
    let client: HTTPClient
    let timeout: TimeAmount

    public init(secretKey: String, base: String, client: HTTPClient, timeout: TimeAmount = .seconds(30)) {
        self.secretKey = secretKey
        self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
        self.client = client
        self.timeout = timeout
    }

    /// A PaymentIntent for `amount` minor units, tagged with the order it pays.
    public func createPaymentIntent(
        amount: Int64, currency: String, orderID: Int64, idempotencyKey: String
    ) async throws(StripeFailure) -> StripePaymentIntent {
        let object = try await post("/v1/payment_intents", [
            ("amount", "\(amount)"), ("currency", currency.lowercased()), ("metadata[order_id]", "\(orderID)"),
            ("automatic_payment_methods[enabled]", "true"),
        ], idempotencyKey: idempotencyKey)
        guard let id = object["id"].string, let secret = object["client_secret"].string, let amount = object["amount"].int,
              let currency = object["currency"].string
        else { throw StripeFailure("Stripe answered with a PaymentIntent that lacks its id, client_secret, amount or currency.") }
        return StripePaymentIntent(id: id, clientSecret: secret, amount: amount, currency: currency)
    }

    /// A refund of `amount` minor units of a PaymentIntent's charge.
    public func createRefund(paymentIntent: String, amount: Int64, idempotencyKey: String) async throws(StripeFailure) -> StripeRefund {
        let object = try await post("/v1/refunds", [("payment_intent", paymentIntent), ("amount", "\(amount)")],
                                    idempotencyKey: idempotencyKey)
        guard let id = object["id"].string, let amount = object["amount"].int, let status = object["status"].string else {
            throw StripeFailure("Stripe answered with a refund that lacks its id, amount or status.")
        }
        // A refund Stripe failed or cancelled at once returned nothing; pending ones complete later.
        guard status != "failed" && status != "canceled" else { throw StripeFailure("Stripe refused the refund (\(status)).") }
        return StripeRefund(id: id, amount: amount, status: status)
    }

    private func post(
        _ path: String, _ fields: [(String, String)], idempotencyKey: String
    ) async throws(StripeFailure) -> JSONValue {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(secretKey)")
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Idempotency-Key", value: idempotencyKey)
        request.body = .bytes(ByteBuffer(string: FormEncoding.encode(fields)))
        let status: HTTPResponseStatus
        let body: JSONValue
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = response.status
            let buffer = try await response.body.collect(upTo: 1 << 20)
            body = try buffer.withUnsafeReadableBytes { try JSONParser.parse($0) }
        } catch let invalid as JSONParser.Invalid {
            throw StripeFailure("Stripe answered with something that is not JSON (\(invalid)).")
        } catch {
            throw StripeFailure("Stripe could not be reached: \(error).")
        }
        guard (200..<300).contains(status.code) else {
            // Stripe's error body: {"error": {"message": "…", "type": "…"}}.
            throw StripeFailure(body["error"]["message"].string ?? "Stripe answered \(status.code).")
        }
        return body
    }
}

public struct StripePaymentIntent: Sendable, Equatable {
    public var id: String
    public var clientSecret: String
    public var amount: Int64
    public var currency: String
}

public struct StripeRefund: Sendable, Equatable {
    public var id: String
    public var amount: Int64
    public var status: String
}

/// Stripe could not be reached or refused a call; `message` is Stripe's own where it sent one.
public struct StripeFailure: Error, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// `application/x-www-form-urlencoded`, with Stripe's bracketed keys (`metadata[order_id]`) escaped.
enum FormEncoding {
    static func encode(_ fields: [(String, String)]) -> String {
        fields.map { "\(escape($0.0))=\(escape($0.1))" }.joined(separator: "&")
    }

    private static func escape(_ text: String) -> String {
        var escaped = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                escaped.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                escaped += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return escaped
    }
}
