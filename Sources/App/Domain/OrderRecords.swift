import Foundation

/// How a payment reached the shop.
public enum PaymentMethod: String, Sendable, CaseIterable {
    case cash
    case bankTransfer = "bank_transfer"
    case card
    case other
}

/// Who recorded a payment: the shop by hand, or a payment provider's confirmation.
public enum PaymentProvider: String, Sendable, CaseIterable {
    case manual
    case stripe
}

public struct Payment: Sendable, Equatable {
    public var id: Int64
    public var orderID: Int64
    public var provider: PaymentProvider
    public var method: PaymentMethod
    public var amount: Money
    public var reference: String?
    public var createdAt: Date
}

public struct Refund: Sendable, Equatable {
    public var id: Int64
    public var orderID: Int64
    public var amount: Money
    public var reason: String?
    /// What went back to stock with it.
    public var restock: [ItemQuantity]
    public var createdAt: Date
}

public struct Fulfillment: Sendable, Equatable {
    public var id: Int64
    public var orderID: Int64
    public var items: [ItemQuantity]
    public var carrier: String?
    public var trackingNumber: String?
    public var trackingURL: String?
    public var createdAt: Date
}
