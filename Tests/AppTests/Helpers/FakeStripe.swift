import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// Stripe's API on loopback, as its documentation describes the two calls the service makes
/// (`POST /v1/payment_intents`, `POST /v1/refunds`): it checks the key, the form encoding, the
/// `Idempotency-Key` and every field, answers Stripe's JSON, and replays the first answer to a
/// repeated key, as Stripe does. Tests read what it was asked and can make it fail.
actor FakeStripe {
    static let secretKey = "sk_test_4eC39HqLyjWDarjtT1zdp7dc"

    struct Call: Sendable, Equatable {
        var path: String
        var fields: [String: String]
        var idempotencyKey: String
    }

    private(set) var calls: [Call] = []
    /// Requests that broke Stripe's documented rules; a test expects none.
    private(set) var violations: [String] = []
    private var answers: [String: (HTTPResponse.Status, String)] = [:]
    private var failure: (HTTPResponse.Status, String)?
    private var nextID = 1
    private var holding = false
    private var held: [CheckedContinuation<Void, Never>] = []

    /// Every call answers `status` with Stripe's error body carrying `message`, until `succeed()`.
    func fail(_ status: HTTPResponse.Status, message: String) { failure = (status, message) }
    func succeed() { failure = nil }
    /// Refunds are received but not answered until `release()`: a refund still on its way.
    func hold() { holding = true }
    func release() {
        holding = false
        for waiting in held { waiting.resume() }
        held = []
    }
    func calls(to path: String) -> [Call] { calls.filter { $0.path == path } }

    /// Runs `body` with the fake listening on loopback; its argument is the base address to configure.
    static func run(_ body: @Sendable (FakeStripe, String) async throws -> Void) async throws {
        let fake = FakeStripe()
        let router = Router()
        for path in ["/v1/payment_intents", "/v1/refunds"] {
            router.post(RouterPath(stringLiteral: path)) { request, _ -> Response in
                var request = request
                let body = try await request.collectBody(upTo: 1 << 16)
                let (status, json) = await fake.answer(path: path, headers: request.headers, body: String(buffer: body))
                return Response(status: status, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: json)))
            }
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(fake, "http://127.0.0.1:\(try #require(client.port))")
        }
    }

    private func answer(path: String, headers: HTTPFields, body: String) async -> (HTTPResponse.Status, String) {
        guard headers[.authorization] == "Bearer \(Self.secretKey)" else {
            return violation("Authorization is not the secret key as a bearer token", status: .unauthorized)
        }
        guard headers[.contentType] == "application/x-www-form-urlencoded" else {
            return violation("Content-Type is \(headers[.contentType] ?? "missing"), not a form")
        }
        guard let key = headers[HTTPField.Name("Idempotency-Key")!], !key.isEmpty, key.count <= 255 else {
            return violation("no Idempotency-Key")
        }
        guard let fields = Self.form(body) else { return violation("the body is not form-encoded: \(body)") }
        calls.append(Call(path: path, fields: fields, idempotencyKey: key))
        if holding && path == "/v1/refunds" { await withCheckedContinuation { held.append($0) } }
        if let saved = answers[key] { return saved }
        if let failure { return Self.error(failure.0, failure.1) }
        let answer = path == "/v1/payment_intents" ? paymentIntent(fields) : refund(fields)
        answers[key] = answer
        return answer
    }

    private func paymentIntent(_ fields: [String: String]) -> (HTTPResponse.Status, String) {
        guard Set(fields.keys) == ["amount", "currency", "metadata[order_id]", "automatic_payment_methods[enabled]"],
              let amount = Int(fields["amount"] ?? ""), amount > 0, let currency = fields["currency"],
              currency.count == 3, currency == currency.lowercased(), fields["automatic_payment_methods[enabled]"] == "true",
              let orderID = fields["metadata[order_id]"], !orderID.isEmpty
        else { return violation("payment_intents fields: \(fields)") }
        let id = "pi_fake\(issue())"
        return (.ok, """
            {"id": "\(id)", "object": "payment_intent", "amount": \(amount), "amount_received": 0, "currency": "\(currency)",
             "client_secret": "\(id)_secret_fake", "status": "requires_payment_method", "livemode": false,
             "metadata": {"order_id": "\(orderID)"}, "automatic_payment_methods": {"enabled": true}}
            """)
    }

    private func refund(_ fields: [String: String]) -> (HTTPResponse.Status, String) {
        guard Set(fields.keys) == ["payment_intent", "amount"], let amount = Int(fields["amount"] ?? ""), amount > 0,
              let intent = fields["payment_intent"], intent.hasPrefix("pi_")
        else { return violation("refunds fields: \(fields)") }
        return (.ok, """
            {"id": "re_fake\(issue())", "object": "refund", "amount": \(amount), "currency": "usd",
             "payment_intent": "\(intent)", "status": "succeeded", "reason": null}
            """)
    }

    private func issue() -> Int {
        defer { nextID += 1 }
        return nextID
    }

    private func violation(_ text: String, status: HTTPResponse.Status = .badRequest) -> (HTTPResponse.Status, String) {
        violations.append(text)
        return Self.error(status, "Fake Stripe refused the request: \(text)")
    }

    private static func error(_ status: HTTPResponse.Status, _ message: String) -> (HTTPResponse.Status, String) {
        let escaped = message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
        return (status, #"{"error": {"type": "invalid_request_error", "message": "\#(escaped)"}}"#)
    }

    private static func form(_ body: String) -> [String: String]? {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.replacingOccurrences(of: "+", with: " ").removingPercentEncoding }
            guard parts.count == 2, let name = parts[0], let value = parts[1], fields[name] == nil else { return nil }
            fields[name] = value
        }
        return fields
    }
}
