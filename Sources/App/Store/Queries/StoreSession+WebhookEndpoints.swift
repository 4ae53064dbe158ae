import Foundation
import SQLKit
import Webhooks

/// Webhook endpoints and the deliveries an admin reads and retries.
extension StoreSession {
    private static let endpointColumns = """
        id, url, events, description, secret, previous_secret, previous_secret_until, disabled_at, disabled_reason, \
        failing_since, created_at, updated_at
        """

    /// A delivery with its event's id and type.
    private static let deliverySelect = """
        SELECT d.id, d.endpoint_id, e.event_id, e.type, d.status, d.attempts, d.last_status_code, d.last_error, \
        d.next_attempt_at, d.delivered_at, d.created_at FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
        """

    func insertEndpoint(_ endpoint: WebhookEndpoint) async throws -> WebhookEndpoint {
        var endpoint = endpoint
        endpoint.id = try await insertReturningID("""
            INSERT INTO webhook_endpoints (url, events, description, secret, created_at, updated_at)
            VALUES (\(bind: endpoint.url), \(bind: endpoint.events.joined(separator: ",")), \(bind: endpoint.description),
            \(bind: endpoint.secret.text), \(bind: endpoint.createdAt), \(bind: endpoint.updatedAt))
            """)
        return endpoint
    }

    func endpoint(id: Int64, lock: Bool = false) async throws -> WebhookEndpoint? {
        try await sql.raw("""
            SELECT \(unsafeRaw: Self.endpointColumns) FROM webhook_endpoints WHERE id = \(bind: id)\(lockClause(lock))
            """).first().map(Self.endpoint)
    }

    func endpoints(_ request: PageRequest) async throws -> Page<WebhookEndpoint> {
        try await page("SELECT \(unsafeRaw: Self.endpointColumns) FROM webhook_endpoints WHERE 1 = 1", request, id: \.id,
                       decode: Self.endpoint)
    }

    /// Every enabled endpoint, for the dispatcher's fan-out.
    func enabledEndpoints() async throws -> [WebhookEndpoint] {
        try await sql.raw("SELECT \(unsafeRaw: Self.endpointColumns) FROM webhook_endpoints WHERE disabled_at IS NULL ORDER BY id")
            .all().map(Self.endpoint)
    }

    /// Writes every field an admin, a rotation or the dispatcher may change.
    func updateEndpoint(_ endpoint: WebhookEndpoint, disabledAt: Date?) async throws {
        try await sql.raw("""
            UPDATE webhook_endpoints SET url = \(bind: endpoint.url), events = \(bind: endpoint.events.joined(separator: ",")),
            description = \(bind: endpoint.description), secret = \(bind: endpoint.secret.text),
            previous_secret = \(bind: endpoint.previousSecret?.text), previous_secret_until = \(bind: endpoint.previousSecretUntil),
            disabled_at = \(bind: endpoint.enabled ? nil : disabledAt), disabled_reason = \(bind: endpoint.disabledReason),
            failing_since = \(bind: endpoint.failingSince), updated_at = \(bind: endpoint.updatedAt)
            WHERE id = \(bind: endpoint.id)
            """).run()
    }

    /// Removes the endpoint with its deliveries; false when there is none.
    func deleteEndpoint(id: Int64) async throws -> Bool {
        guard try await endpoint(id: id, lock: true) != nil else { return false }
        try await sql.raw("DELETE FROM webhook_deliveries WHERE endpoint_id = \(bind: id)").run()
        try await sql.raw("DELETE FROM webhook_endpoints WHERE id = \(bind: id)").run()
        return true
    }

    func deliveries(endpointID: Int64, status: WebhookDeliveryStatus?, _ request: PageRequest) async throws -> Page<WebhookDelivery> {
        var select: SQLQueryString = "\(unsafeRaw: Self.deliverySelect) WHERE d.endpoint_id = \(bind: endpointID)"
        if let status { select.appendInterpolation(unsafeRaw: " AND d.status = "); select.appendInterpolation(bind: status.rawValue) }
        return try await page(select, request, orderedBy: "d.id", id: \.id, decode: Self.delivery)
    }

    /// The latest deliveries to an endpoint, newest first.
    func latestDeliveries(endpointID: Int64, limit: Int) async throws -> [WebhookDelivery] {
        try await sql.raw("\(unsafeRaw: Self.deliverySelect) WHERE d.endpoint_id = \(bind: endpointID) ORDER BY d.id DESC LIMIT \(bind: limit)")
            .all().map(Self.delivery)
    }

    func delivery(id: Int64, endpointID: Int64) async throws -> WebhookDelivery? {
        try await sql.raw("\(unsafeRaw: Self.deliverySelect) WHERE d.id = \(bind: id) AND d.endpoint_id = \(bind: endpointID)")
            .first().map(Self.delivery)
    }

    /// Due again now, whatever its status: an admin's retry, a failed delivery included.
    func retryDelivery(id: Int64, at time: Date) async throws {
        try await sql.raw("""
            UPDATE webhook_deliveries SET status = \(bind: WebhookDeliveryStatus.pending.rawValue), next_attempt_at = \(bind: time),
            lease_until = NULL WHERE id = \(bind: id)
            """).run()
    }

    static func endpoint(_ row: any SQLRow) throws -> WebhookEndpoint {
        let secretText = try row.string("secret")
        guard let secret = WebhookSecret(secretText) else { throw StoreInvariantError.unknownValue(column: "secret", "whsec_…") }
        let disabledAt = try row.optionalDate("disabled_at")
        return WebhookEndpoint(
            id: try row.int("id"), url: try row.string("url"), events: try row.string("events").split(separator: ",").map(String.init),
            description: try row.optionalString("description"), enabled: disabledAt == nil, secret: secret,
            previousSecret: try row.optionalString("previous_secret").flatMap(WebhookSecret.init),
            previousSecretUntil: try row.optionalDate("previous_secret_until"), failingSince: try row.optionalDate("failing_since"),
            disabledReason: try row.optionalString("disabled_reason"), createdAt: try row.date("created_at"),
            updatedAt: try row.date("updated_at"))
    }

    private static func delivery(_ row: any SQLRow) throws -> WebhookDelivery {
        WebhookDelivery(
            id: try row.int("id"), endpointID: try row.int("endpoint_id"), eventID: try row.string("event_id"),
            eventType: try row.string("type"), status: try row.choice("status"), attempts: try row.int("attempts"),
            lastStatusCode: try row.optionalInt("last_status_code"), lastError: try row.optionalString("last_error"),
            nextAttemptAt: try row.optionalDate("next_attempt_at"), deliveredAt: try row.optionalDate("delivered_at"),
            createdAt: try row.date("created_at"))
    }
}
