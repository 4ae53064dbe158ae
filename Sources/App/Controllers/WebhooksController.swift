import Hummingbird
import JSONSupport

/// `/webhooks`: the shop's outgoing webhook endpoints and their deliveries, for admins.
struct WebhooksController {
    let webhooks: WebhookService
    let allowInsecure: Bool
    let maxBodySize: Int

    func addRoutes(to router: Router<AppRequestContext>) {
        router.post("/webhooks", use: create)
        router.get("/webhooks", use: list)
        router.get("/webhooks/:id", use: get)
        router.patch("/webhooks/:id", use: update)
        router.delete("/webhooks/:id", use: delete)
        router.post("/webhooks/:id/rotate-secret", use: rotateSecret)
        router.post("/webhooks/:id/test", use: sendTest)
        router.get("/webhooks/:id/deliveries", use: deliveries)
        router.post("/webhooks/:id/deliveries/:delivery_id/retry", use: retry)
    }

    /// The secret is shown in this response only.
    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Created<WebhookEndpointResponse> {
        try context.requireAdmin()
        var request = request
        let draft = try WebhookService.EndpointDraft(body: try await request.jsonBody(limit: maxBodySize), allowInsecure: allowInsecure)
        return Created(body: WebhookEndpointResponse(endpoint: try await webhooks.create(draft), showSecret: true))
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ListResponse<WebhookEndpointResponse> {
        try context.requireAdmin()
        return ListResponse(try await webhooks.list(try QueryReader.page(of: request)), request: request) {
            WebhookEndpointResponse(endpoint: $0)
        }
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> WebhookEndpointResponse {
        try context.requireAdmin()
        return WebhookEndpointResponse(endpoint: try await webhooks.get(id: try context.id()))
    }

    @Sendable func update(_ request: Request, context: AppRequestContext) async throws -> WebhookEndpointResponse {
        try context.requireAdmin()
        let id = try context.id()
        var request = request
        let patch = try WebhookService.EndpointPatch(body: try await request.jsonBody(limit: maxBodySize), allowInsecure: allowInsecure)
        return WebhookEndpointResponse(endpoint: try await webhooks.update(id: id, patch))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin()
        try await webhooks.delete(id: try context.id())
        return Response(status: .noContent)
    }

    /// The new secret is shown in this response only; the old one signs beside it for 24 hours.
    @Sendable func rotateSecret(_ request: Request, context: AppRequestContext) async throws -> WebhookEndpointResponse {
        try context.requireAdmin()
        return WebhookEndpointResponse(endpoint: try await webhooks.rotateSecret(id: try context.id()), showSecret: true)
    }

    @Sendable func sendTest(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin()
        var response = try WebhookAccepted(eventID: try await webhooks.sendTest(id: try context.id())).response(from: request, context: context)
        response.status = .accepted
        return response
    }

    @Sendable func deliveries(_ request: Request, context: AppRequestContext) async throws -> ListResponse<WebhookDeliveryResponse> {
        try context.requireAdmin()
        let id = try context.id()
        var query = QueryReader(request)
        let status: WebhookDeliveryStatus? = query.choice("status")
        let page = query.page()
        try query.finish()
        return ListResponse(try await webhooks.deliveries(endpointID: id, status: status, page), request: request,
                            transform: WebhookDeliveryResponse.init)
    }

    @Sendable func retry(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin()
        let id = try context.id(), deliveryID = try context.id("delivery_id")
        try await webhooks.retry(endpointID: id, deliveryID: deliveryID)
        return Response(status: .accepted)
    }
}
