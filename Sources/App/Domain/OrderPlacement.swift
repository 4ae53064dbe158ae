import JSONSupport
import Foundation

/// An order to place, on the day it is for, under the placement token its store gave it (if any).
public struct OrderToPlace: Sendable {
    var request: PlaceOrderRequest
    var date: String
    var placementToken: PlacementToken?
    /// Stock that falls below this is news (`StockAlert`).
    var lowStockThreshold: Int64

    init(request: PlaceOrderRequest, placedAt time: Date, lowStockThreshold: Int64 = StockAlert.defaultThreshold) {
        self.request = request
        date = request.date ?? time.iso8601Day
        self.lowStockThreshold = lowStockThreshold
    }
}

/// What placing one order came to: the order placed, or why it was refused.
public typealias PlacementOutcome = Result<Order, PlacementRefusal>

/// The rules an order must pass to be placed, and so the reasons it is refused, in the order they are
/// checked: the first that fails is the one reported. Every store's placement follows them
/// (`Store.placeOrders`); the conformance test (`OrderPlacementConformanceTests`) proves they agree.
public enum PlacementRefusal: Error, Equatable, Sendable {
    /// The order names these products more than once (ascending ids).
    case repeatedProducts([Int64])
    /// These products do not exist or were deleted (ascending ids).
    case unknownProducts([Int64])
    /// These products have less stock than the order asks for (ascending ids).
    case outOfStock([Int64])
    /// The client's `total_price` is not the total of the price snapshots.
    case totalMismatch(expected: Money, computed: Money)
    case unknownUser(Int64)

    /// The refusal as the API reports it, each product named by its line's field where it has one.
    func error(for request: PlaceOrderRequest) -> AppError {
        switch self {
        case .repeatedProducts(let productIDs):
            var problems: FieldProblems = [:]
            var seen = Set<Int64>()
            for (index, line) in request.lines.enumerated() where productIDs.contains(line.productID) {
                if !seen.insert(line.productID).inserted {
                    problems[request.linesField.productPath(at: index)] = ["product \(line.productID) appears more than once"]
                }
            }
            return .validation(problems)
        case .unknownProducts(let productIDs):
            var problems: FieldProblems = [:]
            for (index, line) in request.lines.enumerated() where productIDs.contains(line.productID) {
                problems[request.linesField.productPath(at: index)] = ["there is no product with id \(line.productID)"]
            }
            return .validation(problems)
        case .outOfStock(let productIDs):
            return .outOfStock(productIDs: productIDs)
        case .totalMismatch(let expected, let computed):
            return .conflict("total_price \(expected) does not match the computed total \(computed).",
                             details: ["total_price": ["must equal the computed total \(computed)"]])
        case .unknownUser(let id):
            return .invalid("user_id", "there is no user with id \(id)")
        }
    }
}

extension OrderLine {
    /// Pricing: a line costs its unit price snapshot times its quantity. (PostgreSQL's one-statement
    /// placement computes the same in SQL, `price_cents * quantity`; the conformance test holds them equal.)
    var lineTotal: Money { unitPrice * quantity }
}

extension Order {
    /// Pricing: an order costs the sum of its lines.
    static func total(of lines: [OrderLine]) -> Money {
        lines.reduce(Money.zero) { $0 + $1.lineTotal }
    }

    /// An order just placed, at `time`, with the lines as taken.
    init(id: Int64, placing order: OrderToPlace, lines: [OrderLine], at time: Date) {
        let total = Order.total(of: lines)
        self.init(id: id, userID: order.request.userID, date: order.date, status: .placed, lines: lines, totalPrice: total,
                  paymentStatus: Order.paymentStatusWhenPlaced(total: total), createdAt: time, updatedAt: time)
    }
}

extension Order {
    /// Nothing is paid when an order is placed, so a free order is paid and any other unpaid.
    static func paymentStatusWhenPlaced(total: Money) -> PaymentStatus {
        PaymentStatus(total: total, paid: .zero, refunded: .zero)
    }
}

extension PlaceOrderRequest {
    /// The products this order names more than once, ascending.
    var repeatedProductIDs: [Int64] {
        var seen = Set<Int64>(), repeated = Set<Int64>()
        for line in lines where !seen.insert(line.productID).inserted { repeated.insert(line.productID) }
        return repeated.sorted()
    }
}
