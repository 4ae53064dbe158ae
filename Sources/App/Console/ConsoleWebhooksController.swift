import Hummingbird

/// `/admin/webhooks`: the endpoints and their latest deliveries, with a retry for any that is not
/// delivered. Endpoints are registered through the API, where the secret is shown once.
struct ConsoleWebhooksController {
    let webhooks: WebhookService
    let pages: ConsolePages

    /// How many deliveries each endpoint shows.
    static let deliveriesShown = 10

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("webhooks", use: list)
        group.post("webhooks/:id/deliveries/:delivery_id/retry", use: retry)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let found = try await webhooks.endpointsWithLatestDeliveries(try QueryReader.page(of: request), limit: Self.deliveriesShown)
        var values: [String: Any] = ["endpoints": found.items.map { endpoint, deliveries in
            ["id": endpoint.id, "url": endpoint.url, "events": endpoint.events.joined(separator: ", "),
             "enabled": endpoint.enabled ? "yes" : "no (\(endpoint.disabledReason ?? "by an admin"))",
             "description": endpoint.description ?? "",
             "deliveries": deliveries.map { delivery in
                 ["deliveryID": delivery.id, "endpointID": endpoint.id, "eventType": delivery.eventType,
                  "status": delivery.status.rawValue, "attempts": delivery.attempts,
                  "lastOutcome": delivery.lastStatusCode.map { "HTTP \($0)" } ?? delivery.lastError ?? "",
                  "nextAttemptAt": delivery.nextAttemptAt.map(ConsolePages.time) ?? "",
                  "retriable": delivery.status != .delivered] as [String: Any]
             }] as [String: Any]
        }]
        if let next = found.nextAfterID { values["nextPage"] = request.nextPageLink(afterID: next) }
        return pages.page("webhooks", title: "Webhooks", section: .webhooks, values, request: request, context: context)
    }

    @Sendable func retry(_ request: Request, context: AppRequestContext) async throws -> Response {
        let endpointID = try context.id()
        let deliveryID = try context.id("delivery_id")
        try await webhooks.retry(endpointID: endpointID, deliveryID: deliveryID)
        return pages.redirect(to: "/admin/webhooks#endpoint-\(endpointID)",
                              flash: .init(text: "Delivery \(deliveryID) will be sent again within moments."),
                              request: request, context: context)
    }
}
