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
        try await record(request, context, OrderLifecycleService.PaymentDraft.init(body:), PaymentResponse.init,
                         once: lifecycle.pay(orderID:_:idempotencyKey:respond:), else: lifecycle.pay(orderID:_:))
    }

    @Sendable func refund(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await record(request, context, OrderLifecycleService.RefundDraft.init(body:), RefundResponse.init,
                         once: lifecycle.refund(orderID:_:idempotencyKey:respond:), else: lifecycle.refund(orderID:_:))
    }

    @Sendable func fulfil(_ request: Request, context: AppRequestContext) async throws -> Created<FulfillmentResponse> {
        let (orderID, _, body) = try await adminChange(request, context, idempotent: false)
        let draft = try OrderLifecycleService.FulfillmentDraft(body: body)
        return Created(body: FulfillmentResponse(try await lifecycle.fulfil(orderID: orderID, draft)))
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
        let caller = try context.requireCaller()
        let page = try QueryReader.page(of: request)
        let order = try await orders.order(id: try context.id(), visibleTo: caller)
        return (order.id, page)
    }

    /// Records what the body asks for on the order at the path: once per `Idempotency-Key` when one
    /// is sent (its response stored, and replayed to a retry), otherwise straight away.
    private func record<Draft, Record, Body: JSONResponse>(
        _ request: Request, _ context: AppRequestContext, _ draft: (JSONValue) throws(AppError) -> Draft,
        _ body: @escaping @Sendable (Record) -> Body,
        once: (Int64, Draft, IdempotencyKey, @escaping @Sendable (Record) throws -> String) async throws -> (response: String, replayed: Bool),
        else plain: (Int64, Draft) async throws -> Record
    ) async throws -> Response {
        let (orderID, key, json) = try await adminChange(request, context)
        let draft = try draft(json)
        guard let key else {
            return try Created(body: body(try await plain(orderID, draft))).response(from: request, context: context)
        }
        let outcome = try await once(orderID, draft, key) { String(decoding: JSONWriter.bytes(of: body($0)), as: UTF8.self) }
        return Response.json(Array(outcome.response.utf8), status: .created, headers: outcome.replayed ? [.idempotentReplayed: "true"] : [:])
    }
}
