import Foundation

public enum OrderStatus: String, Sendable, CaseIterable {
    case placed
    case cancelled
}

public struct Order: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    /// The order's calendar date, `YYYY-MM-DD`.
    public var date: String
    public var status: OrderStatus
    public var lines: [OrderLine]
    public var totalPrice: Money
    /// Everything paid so far, and the part of it refunded.
    public var amountPaid: Money = .zero
    public var amountRefunded: Money = .zero
    public var paymentStatus: PaymentStatus
    public var fulfillmentStatus: FulfillmentStatus = .unfulfilled
    public var createdAt: Date
    public var updatedAt: Date
}

/// One product in an order. Name and unit price are snapshots taken at placement, so later product
/// changes never alter an order.
public struct OrderLine: Sendable, Equatable {
    public var productID: Int64
    public var name: String
    public var quantity: Int64
    public var unitPrice: Money
}
