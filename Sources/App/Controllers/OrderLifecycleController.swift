import JSONSupport
import Hummingbird

/// What happens to an order after it is placed: `/orders/{id}/payments`, `/refunds` and
/// `/fulfillments`. Admins record them; the order's owner (or an admin) reads them.
struct OrderLifecycleController {
    let orders: OrderService
    let lifecycle: OrderLifecycleService
    let maxBodySize: Int

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/orders/:id/payments", use: pay)
        router.get("/orders/:id/payments", use: payments)
        router.post("/orders/:id/refunds", use: refund)
        router.get("/orders/:id/refunds", use: refunds)
        router.post("/orders/:id/fulfillments", use: fulfil)
        router.get("/orders/:id/fulfillments", use: fulfillments)
    }

    /// With an `Idempotency-Key`, a retried request gets the first response back instead of paying twice.
    @Sendable func pay(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (orderID, key, body) = try await adminChange(request, context)
        let draft = try OrderLifecycleService.PaymentDraft(body: body)
        guard let key else {
            return try Created(body: PaymentResponse(payment: try await lifecycle.pay(orderID: orderID, draft)))
                .response(from: request, context: context)
        }
        return Self.created(try await lifecycle.pay(orderID: orderID, draft, idempotencyKey: key) {
            Self.rendered(PaymentResponse(payment: $0))
        })
    }

    @Sendable func refund(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (orderID, key, body) = try await adminChange(request, context)
        let draft = try OrderLifecycleService.RefundDraft(body: body)
        guard let key else {
            return try Created(body: RefundResponse(refund: try await lifecycle.refund(orderID: orderID, draft)))
                .response(from: request, context: context)
        }
        return Self.created(try await lifecycle.refund(orderID: orderID, draft, idempotencyKey: key) {
            Self.rendered(RefundResponse(refund: $0))
        })
    }

    @Sendable func fulfil(_ request: Request, context: AppRequestContext) async throws -> Created<FulfillmentResponse> {
        let (orderID, _, body) = try await adminChange(request, context, idempotent: false)
        let draft = try OrderLifecycleService.FulfillmentDraft(body: body)
        return Created(body: FulfillmentResponse(fulfillment: try await lifecycle.fulfil(orderID: orderID, draft)))
    }

    @Sendable func payments(_ request: Request, context: AppRequestContext) async throws -> ListResponse<PaymentResponse> {
        let (orderID, page) = try await visibleList(request, context)
        return ListResponse(try await lifecycle.payments(orderID: orderID, page), request: request, transform: PaymentResponse.init)
    }

    @Sendable func refunds(_ request: Request, context: AppRequestContext) async throws -> ListResponse<RefundResponse> {
        let (orderID, page) = try await visibleList(request, context)
        return ListResponse(try await lifecycle.refunds(orderID: orderID, page), request: request, transform: RefundResponse.init)
    }

    @Sendable func fulfillments(_ request: Request, context: AppRequestContext) async throws -> ListResponse<FulfillmentResponse> {
        let (orderID, page) = try await visibleList(request, context)
        return ListResponse(try await lifecycle.fulfillments(orderID: orderID, page), request: request,
                            transform: FulfillmentResponse.init)
    }

    /// An admin's change to the order at the path: its id, the idempotency key if any, and the body.
    private func adminChange(
        _ request: Request, _ context: AppRequestContext, idempotent: Bool = true
    ) async throws -> (orderID: Int64, key: IdempotencyKey?, body: JSONValue) {
        let caller = try context.requireAdmin()
        let orderID = try context.id()
        let key = idempotent ? try PlaceOrderRequest.idempotencyKey(request.headers[.idempotencyKey]) : nil
        var request = request
        let body = try await request.jsonBody(limit: maxBodySize)
        return (orderID, key.map { IdempotencyKey(scope: "account:\(caller.accountID)", value: $0) }, body)
    }

    /// The order at the path, if the caller may see it (404 otherwise), and the page asked for.
    private func visibleList(_ request: Request, _ context: AppRequestContext) async throws -> (orderID: Int64, page: PageRequest) {
        let page = try QueryReader.page(of: request)
        let order = try await orders.order(id: try context.id(), visibleTo: try context.requireCaller())
        return (order.id, page)
    }

    private static func rendered(_ body: some JSONWritable) -> String {
        String(decoding: JSONWriter.bytes(of: body), as: UTF8.self)
    }

    private static func created(_ outcome: (response: String, replayed: Bool)) -> Response {
        Response.json(Array(outcome.response.utf8), status: .created, headers: outcome.replayed ? [.idempotentReplayed: "true"] : [:])
    }
}
