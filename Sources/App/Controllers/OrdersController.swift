import JSONSupport
import HTTPTypes
import Hummingbird
import NIOCore

/// `/orders` and a user's orders, `/users/{id}/orders`.
struct OrdersController {
    let orders: OrderService
    let currency: Currency
    let maxBodySize: Int

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/orders", use: list)
        router.post("/orders", use: place)
        router.get("/orders/:id", use: get)
        router.delete("/orders/:id", use: cancel)
        router.get("/users/:id/orders", use: listForUser)
    }

    /// Customers see only their own orders, whatever `user_id` they ask for.
    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ListResponse<OrderResponse> {
        let caller = try context.requireCaller()
        var query = QueryReader(request)
        var filter = OrderFilter(query: &query)
        filter.userID = query.integer("user_id", in: 1...Int64.max)
        let page = query.page()
        try query.finish()
        if !caller.isAdmin { filter.userID = caller.userID }
        return ListResponse(try await orders.list(filter, page), request: request, transform: response)
    }

    @Sendable func listForUser(_ request: Request, context: AppRequestContext) async throws -> ListResponse<OrderResponse> {
        let userID = try context.id()
        try context.requireOwner(ofUser: userID)
        var query = QueryReader(request)
        let filter = OrderFilter(query: &query)
        let page = query.page()
        try query.finish()
        return ListResponse(try await orders.list(userID: userID, filter, page), request: request, transform: response)
    }

    /// With an `Idempotency-Key`, a retried request gets the first response back (marked
    /// `Idempotent-Replayed: true`) instead of placing a second order.
    @Sendable func place(_ request: Request, context: AppRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let key = try PlaceOrderRequest.idempotencyKey(request.headers[.idempotencyKey])
        var request = request
        let order = try PlaceOrderRequest(body: try await request.jsonBody(limit: maxBodySize))
        guard caller.owns(userID: order.userID) else { throw AppError.forbidden("Customers place orders for themselves.") }
        guard let key else {
            return try Created(body: response(try await orders.place(order))).response(from: request, context: context)
        }
        let placement = try await orders.place(
            order, idempotencyKey: IdempotencyKey(scope: "account:\(caller.accountID)", value: key)
        ) { placed in
            String(decoding: JSONWriter.bytes(of: response(placed)), as: UTF8.self)
        }
        return Response.json(Array(placement.response.utf8), status: .created,
                             headers: placement.replayed ? [.idempotentReplayed: "true"] : [:])
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> OrderResponse {
        response(try await orders.order(id: try context.id(), visibleTo: try context.requireCaller()))
    }

    /// Cancelling is how an order is "deleted": it stays readable, with its stock returned.
    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> OrderResponse {
        let order = try await orders.order(id: try context.id(), visibleTo: try context.requireCaller())
        return response(try await orders.cancel(id: order.id))
    }

    private func response(_ order: Order) -> OrderResponse {
        OrderResponse(order, currency: currency)
    }
}

extension OrderFilter {
    /// The filters every order list takes, the API's and the console's.
    init(query: inout QueryReader) {
        self.init(status: query.choice("status"), paymentStatus: query.choice("payment_status"),
                  fulfillmentStatus: query.choice("fulfillment_status"))
    }
}
