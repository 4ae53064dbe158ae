import Foundation

public struct Product: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var description: String?
    public var sku: String?
    public var price: Money
    public var quantity: Int64
    public var createdAt: Date
    public var updatedAt: Date

    /// The most stock a product may hold. Every path that raises stock (setting it, adjustments,
    /// cancels returning it) refuses to pass it, checked in the statement that writes the stock.
    public static let maximumStock: Int64 = 1_000_000_000
}

/// The fields a client may set on a product; stock moves only through the inventory rules.
public struct ProductFields: Sendable, Equatable {
    public var name: String
    public var description: String?
    public var sku: String?
    public var price: Money
}
