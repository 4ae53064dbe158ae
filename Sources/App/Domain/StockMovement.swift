import Foundation

/// Why a product's stock changed.
public enum StockMovementKind: String, Sendable, CaseIterable {
    /// `return`: units a refund put back on the shelf.
    case initial, order, cancel, set, adjustment, `return`
}

/// One change of a product's stock, written in the same transaction as the change. At every moment
/// the sum of a product's deltas equals its quantity.
public struct StockMovement: Sendable, Equatable {
    public var id: Int64
    public var productID: Int64
    public var delta: Int64
    public var quantityAfter: Int64
    public var kind: StockMovementKind
    public var reason: String?
    public var orderID: Int64?
    public var createdAt: Date
}

/// What moved the stock: the kind of movement and what it refers to.
enum StockCause: Sendable {
    case initial
    case order(Int64)
    case cancel(Int64)
    case refundRestock(orderID: Int64, refundID: Int64)
    case set
    case adjustment(reason: String?)

    var kind: StockMovementKind {
        switch self {
        case .initial: .initial
        case .order: .order
        case .cancel: .cancel
        case .refundRestock: .return
        case .set: .set
        case .adjustment: .adjustment
        }
    }

    var orderID: Int64? {
        switch self {
        case .order(let id), .cancel(let id), .refundRestock(let id, _): id
        default: nil
        }
    }

    var reason: String? {
        switch self {
        case .adjustment(let reason): reason
        case .refundRestock(_, let refundID): "refund \(refundID)"
        default: nil
        }
    }
}
