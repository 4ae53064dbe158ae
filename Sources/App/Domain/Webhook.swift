import Foundation
import Webhooks

/// What the shop tells other systems about, by the name a subscription uses.
public enum WebhookEventType: String, Sendable, CaseIterable {
    case orderPlaced = "order.placed"
    case orderCancelled = "order.cancelled"
    case orderPaid = "order.paid"
    case orderRefunded = "order.refunded"
    case orderFulfilled = "order.fulfilled"
    case productCreated = "product.created"
    case productUpdated = "product.updated"
    case productDeleted = "product.deleted"
    case productStockLow = "product.stock_low"
    case productOutOfStock = "product.out_of_stock"
    /// Sent by `POST /webhooks/{id}/test` to that endpoint alone; no subscription names it.
    case webhookTest = "webhook.test"

    /// The names a subscription may list (or `*` for all of them).
    static let subscribable = allCases.filter { $0 != .webhookTest }

    /// A product's stock crossing a threshold: its body is the product with the stock the change left.
    var isStockAlert: Bool { self == .productStockLow || self == .productOutOfStock }
}

/// A receiver of the shop's events: where, which events, and the secrets that sign them.
public struct WebhookEndpoint: Sendable, Equatable {
    public var id: Int64
    public var url: String
    /// Event names, or `["*"]` for every event.
    public var events: [String]
    public var description: String?
    public var enabled: Bool
    public var secret: WebhookSecret
    /// The secret before the last rotation, still signing beside the new one until `previousSecretUntil`.
    public var previousSecret: WebhookSecret? = nil
    public var previousSecretUntil: Date? = nil
    /// Since when every delivery to it has failed; nil after any success.
    public var failingSince: Date? = nil
    /// Why it was disabled by the service itself, if it was.
    public var disabledReason: String? = nil
    public var createdAt: Date
    public var updatedAt: Date

    public func subscribes(to type: WebhookEventType) -> Bool {
        events == ["*"] || events.contains(type.rawValue)
    }

    /// The secrets a delivery at `now` is signed with: the current one, and the previous one while
    /// its overlap lasts.
    public func signingSecrets(at now: Date) -> [WebhookSecret] {
        guard let previousSecret, let until = previousSecretUntil, now < until else { return [secret] }
        return [secret, previousSecret]
    }
}

public enum WebhookDeliveryStatus: String, Sendable, CaseIterable {
    case pending
    case delivered
    case failed
}

/// One event's journey to one endpoint, attempt by attempt.
public struct WebhookDelivery: Sendable, Equatable {
    public var id: Int64
    public var endpointID: Int64
    /// The event's id (`msg_…`), the `webhook-id` of every attempt.
    public var eventID: String
    public var eventType: String
    public var status: WebhookDeliveryStatus
    public var attempts: Int64
    public var lastStatusCode: Int64?
    public var lastError: String?
    public var nextAttemptAt: Date?
    public var deliveredAt: Date?
    public var createdAt: Date
}
