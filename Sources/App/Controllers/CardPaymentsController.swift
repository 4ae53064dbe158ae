import HTTPTypes
import Hummingbird
import JSONSupport

/// Card payments through Stripe: `POST /orders/{id}/checkout` for the order's owner or an admin, and
/// `POST /stripe/webhook` for Stripe, authenticated by its signature alone (apart from the shop's own
/// outgoing webhooks).
struct CardPaymentsController {
    let orders: OrderService
    let cards: CardPaymentService
    let currency: Currency
    let maxBodySize: Int

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/orders/:id/checkout", use: checkout)
        router.post("/stripe/webhook", use: webhook)
    }

    /// No body is read: the amount is the balance due, never the client's.
    @Sendable func checkout(_ request: Request, context: AppRequestContext) async throws -> Created<CheckoutResponse> {
        let caller = try context.requireCaller()
        let checkout = try await cards.checkout(orderID: try context.id(), caller: caller, orders: orders)
        return Created(body: CheckoutResponse(checkout: checkout, currency: currency))
    }

    /// The raw bytes, as signed: the signature covers them exactly, so they are verified before parsing.
    @Sendable func webhook(_ request: Request, context: AppRequestContext) async throws -> Received {
        try request.requireJSONContentType()
        var request = request
        let body = try await request.collectBody(upTo: maxBodySize)
        try await cards.receive(payload: Array(buffer: body), signature: request.headers[.stripeSignature], logger: context.logger)
        return Received()
    }
}

struct CheckoutResponse: JSONResponse {
    let checkout: CardPaymentService.Checkout
    let currency: Currency

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("provider", PaymentProvider.stripe.rawValue)
            object.field("payment_intent_id", checkout.paymentIntentID)
            object.field("client_secret", checkout.clientSecret)
            object.field("amount", checkout.amount)
            object.field("currency", currency.code)
        }
    }
}

/// Stripe needs only a 2xx; the body says so to a person reading the delivery in Stripe's dashboard.
struct Received: JSONResponse {
    func write(to json: inout JSONWriter) {
        json.object { $0.field("received", true) }
    }
}

extension HTTPField.Name {
    static let stripeSignature = HTTPField.Name("Stripe-Signature")!
}
