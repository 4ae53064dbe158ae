import Foundation
import Webhooks

/// The shop's webhook endpoints, for admins: registered with a fresh secret once their URL passes
/// the destination check, changed, rotated, tested, and their deliveries read and retried. The
/// dispatcher (`WebhookDispatcher`) does the sending.
public struct WebhookService: Sendable {
    let store: any Store
    let settings: WebhookSettings
    let now: @Sendable () -> Date
    /// How long a rotated-out secret keeps signing beside the new one.
    static let rotationOverlap: TimeInterval = 24 * 3600

    struct EndpointDraft: Sendable, Equatable {
        var url: String
        var events: [String]
        var description: String?
    }

    struct EndpointPatch: Sendable, Equatable {
        var url: String?
        var events: [String]?
        /// `.some(nil)` clears it.
        var description: String??
        var enabled: Bool?
    }

    func create(_ draft: EndpointDraft) async throws -> WebhookEndpoint {
        try await checkDestination(draft.url)
        let time = now()
        return try await store.transaction { session in
            try await session.insertEndpoint(WebhookEndpoint(
                id: 0, url: draft.url, events: draft.events, description: draft.description, enabled: true,
                secret: .generate(), createdAt: time, updatedAt: time))
        }
    }

    func list(_ page: PageRequest) async throws -> Page<WebhookEndpoint> {
        try await store.read { try await $0.endpoints(page) }
    }

    func get(id: Int64) async throws -> WebhookEndpoint {
        guard let endpoint = try await store.read({ try await $0.endpoint(id: id) }) else { throw AppError.missing("webhook", id) }
        return endpoint
    }

    func update(id: Int64, _ patch: EndpointPatch) async throws -> WebhookEndpoint {
        if let url = patch.url { try await checkDestination(url) }
        return try await changing(id) { endpoint, time in
            if let url = patch.url { endpoint.url = url }
            if let events = patch.events { endpoint.events = events }
            if let description = patch.description { endpoint.description = description }
            if let enabled = patch.enabled, enabled != endpoint.enabled {
                endpoint.enabled = enabled
                // Enabled again: its failing spell starts afresh.
                (endpoint.disabledReason, endpoint.failingSince) = (nil, nil)
            }
        }
    }

    func delete(id: Int64) async throws {
        guard try await store.transaction({ try await $0.deleteEndpoint(id: id) }) else { throw AppError.missing("webhook", id) }
    }

    /// A new secret; the old one keeps signing beside it for `rotationOverlap`.
    func rotateSecret(id: Int64) async throws -> WebhookEndpoint {
        try await changing(id) { endpoint, time in
            endpoint.previousSecret = endpoint.secret
            endpoint.previousSecretUntil = time.addingTimeInterval(Self.rotationOverlap)
            endpoint.secret = .generate()
        }
    }

    /// A `webhook.test` event for this endpoint alone, carrying the endpoint; returns the event's id.
    func sendTest(id: Int64) async throws -> String {
        try await store.transaction { [now] session in
            guard let endpoint = try await session.endpoint(id: id) else { throw AppError.missing("webhook", id) }
            return try await session.recordEvent(.webhookTest, WebhookEndpointResponse(endpoint: endpoint), at: now(), endpointID: id)
        }
    }

    func deliveries(endpointID: Int64, status: WebhookDeliveryStatus?, _ page: PageRequest) async throws -> Page<WebhookDelivery> {
        try await store.read { session in
            guard try await session.endpoint(id: endpointID) != nil else { throw AppError.missing("webhook", endpointID) }
            return try await session.deliveries(endpointID: endpointID, status: status, page)
        }
    }

    /// A page of endpoints, each with its latest `limit` deliveries, newest first.
    func endpointsWithLatestDeliveries(
        _ page: PageRequest, limit: Int
    ) async throws -> Page<(endpoint: WebhookEndpoint, deliveries: [WebhookDelivery])> {
        try await store.read { session in
            let endpoints = try await session.endpoints(page)
            var deliveries: [Int64: [WebhookDelivery]] = [:]
            for endpoint in endpoints.items {
                deliveries[endpoint.id] = try await session.latestDeliveries(endpointID: endpoint.id, limit: limit)
            }
            return endpoints.map { ($0, deliveries[$0.id, default: []]) }
        }
    }

    /// Due again at once, a failed delivery included.
    func retry(endpointID: Int64, deliveryID: Int64) async throws {
        try await store.transaction { [now] session in
            guard try await session.delivery(id: deliveryID, endpointID: endpointID) != nil else {
                throw AppError.notFound("There is no delivery \(deliveryID) of webhook \(endpointID).")
            }
            try await session.retryDelivery(id: deliveryID, at: now())
        }
    }

    private func changing(_ id: Int64, _ change: @escaping @Sendable (inout WebhookEndpoint, Date) -> Void) async throws -> WebhookEndpoint {
        try await store.transaction { [now] session in
            guard var endpoint = try await session.endpoint(id: id, lock: true) else { throw AppError.missing("webhook", id) }
            let time = now()
            change(&endpoint, time)
            endpoint.updatedAt = time
            try await session.updateEndpoint(endpoint, disabledAt: time)
            return endpoint
        }
    }

    /// 400 naming `url` when deliveries could not go there (`DestinationCheck`).
    private func checkDestination(_ url: String) async throws {
        if let problem = try await DestinationCheck(allowInsecure: settings.allowInsecure).problem(with: url) {
            throw AppError.invalid("url", problem)
        }
    }
}
