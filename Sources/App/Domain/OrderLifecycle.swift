/// Where an order's money stands. Derived from its total and what was paid and refunded, never set
/// on its own, so it cannot disagree with the amounts.
public enum PaymentStatus: String, Sendable, CaseIterable {
    case unpaid
    case partiallyPaid = "partially_paid"
    case paid
    case partiallyRefunded = "partially_refunded"
    case refunded

    /// A free order is paid from the start; a refund, once any, decides the status over the payments.
    public init(total: Money, paid: Money, refunded: Money) {
        if refunded > .zero {
            self = refunded < paid ? .partiallyRefunded : .refunded
        } else if total == .zero || paid >= total {
            self = .paid
        } else {
            self = paid > .zero ? .partiallyPaid : .unpaid
        }
    }
}

/// How much of an order has been shipped. Derived from its lines.
public enum FulfillmentStatus: String, Sendable, CaseIterable {
    case unfulfilled
    case partiallyFulfilled = "partially_fulfilled"
    case fulfilled

    /// Nothing shipped is unfulfilled (a line returned to stock before shipping is not a shipment);
    /// something shipped and nothing left to ship is fulfilled.
    public init(_ lines: [LineProgress]) {
        let shipped = lines.contains { $0.fulfilled > 0 }
        let leftToShip = lines.contains { $0.leftToFulfil > 0 }
        self = !shipped ? .unfulfilled : leftToShip ? .partiallyFulfilled : .fulfilled
    }
}

/// One product's line of an order as it moves: how many were ordered, shipped, and returned to stock
/// by refunds.
public struct LineProgress: Sendable, Equatable {
    public var productID: Int64
    public var ordered: Int64
    public var fulfilled: Int64
    public var restocked: Int64

    public init(productID: Int64, ordered: Int64, fulfilled: Int64 = 0, restocked: Int64 = 0) {
        self.productID = productID
        self.ordered = ordered
        self.fulfilled = fulfilled
        self.restocked = restocked
    }

    /// A unit returned to stock before it was shipped is no longer to be shipped.
    public var leftToFulfil: Int64 { max(0, ordered - fulfilled - restocked) }
    /// Units that may still go back to stock, by a refund or a cancel.
    public var restockable: Int64 { ordered - restocked }
}

/// A product and a number of its units: a line of a fulfilment or of a refund's restock.
public struct ItemQuantity: Sendable, Equatable {
    public var productID: Int64
    public var quantity: Int64

    public init(productID: Int64, quantity: Int64) {
        self.productID = productID
        self.quantity = quantity
    }
}

/// An order's money and lines as they stand, read under the order's lock, and the rules that decide
/// what may happen to it next. Every route that pays, refunds, ships or cancels asks here, so the API
/// and the console cannot disagree.
public struct OrderProgress: Sendable, Equatable {
    public var orderID: Int64
    public var status: OrderStatus
    public var total: Money
    public var paid: Money
    public var refunded: Money
    public var lines: [LineProgress]
    /// Refunds asked of a payment provider and not yet recorded: not refunded yet, but no longer
    /// free to refund again.
    public var refundsInFlight: Money

    public init(
        orderID: Int64, status: OrderStatus, total: Money, paid: Money, refunded: Money, lines: [LineProgress],
        refundsInFlight: Money = .zero
    ) {
        self.orderID = orderID
        self.status = status
        self.total = total
        self.paid = paid
        self.refunded = refunded
        self.lines = lines
        self.refundsInFlight = refundsInFlight
    }

    public var balanceDue: Money { Money(cents: total.cents - paid.cents) }
    /// Money the shop holds for the order: paid and not refunded.
    public var held: Money { Money(cents: paid.cents - refunded.cents) }
    /// What a new refund may return: the money held, less refunds already on their way.
    public var refundable: Money { Money(cents: held.cents - refundsInFlight.cents) }
    public var paymentStatus: PaymentStatus { PaymentStatus(total: total, paid: paid, refunded: refunded) }
    public var fulfillmentStatus: FulfillmentStatus { FulfillmentStatus(lines) }

    /// Why a payment of `amount` may not be recorded, or nil.
    public func refusal(paying amount: Money) -> AppError? {
        if let refusal = refusalUnlessPlaced(to: "be paid") { return refusal }
        guard amount <= balanceDue else {
            return .conflict("The balance due on order \(orderID) is \(balanceDue); a payment may not exceed it.",
                             details: ["amount": ["must be at most the balance due, \(balanceDue)"]])
        }
        return nil
    }

    /// Why a card checkout for the balance due may not start, or nil.
    public var checkoutRefusal: AppError? {
        if let refusal = refusalUnlessPlaced(to: "be paid") { return refusal }
        return balanceDue > .zero ? nil : .conflict("Order \(orderID) is paid; nothing is due.")
    }

    /// Why a refund of `amount` returning `restock` to stock may not be recorded, or nil.
    public func refusal(refunding amount: Money, restock: [ItemQuantity]) -> AppError? {
        if amount == .zero && restock.isEmpty {
            return .invalid("restock", "must name what goes back to stock when the amount is 0")
        }
        guard amount <= refundable else {
            return .conflict("Order \(orderID) holds \(refundable) that may be refunded; a refund may not exceed it.",
                             details: ["amount": ["must be at most the amount paid and not yet refunded, \(refundable)"]])
        }
        return refusal(of: restock, field: "restock", limit: \.restockable, limitName: "may still go back to stock")
    }

    /// The items a fulfilment ships (`requested`, or everything left when nil), or why it may not.
    public func fulfilment(of requested: [ItemQuantity]?) -> Result<[ItemQuantity], AppError> {
        if let refusal = refusalUnlessPlaced(to: "be fulfilled") { return .failure(refusal) }
        guard let requested else {
            let everything = lines.filter { $0.leftToFulfil > 0 }
                .map { ItemQuantity(productID: $0.productID, quantity: $0.leftToFulfil) }
            guard !everything.isEmpty else {
                return .failure(.conflict("Nothing is left to fulfil on order \(orderID)."))
            }
            return .success(everything)
        }
        if let refusal = refusal(of: requested, field: "items", limit: \.leftToFulfil, limitName: "are left to fulfil") {
            return .failure(refusal)
        }
        return .success(requested)
    }

    /// Why the order may not be cancelled, or nil: shipped goods and money held must be dealt with first.
    public var cancelRefusal: AppError? {
        guard status == .placed else { return .conflict("Order \(orderID) is already cancelled.") }
        if lines.contains(where: { $0.fulfilled > 0 }) {
            return .conflict("Order \(orderID) has fulfilled lines; it cannot be cancelled (refund and restock instead).")
        }
        if held > .zero {
            return .conflict("Order \(orderID) holds \(held) paid; refund the payments first, then cancel.")
        }
        return nil
    }

    /// What a cancel returns to stock: every unit not already returned by a refund.
    public var cancelRestock: [ItemQuantity] {
        lines.filter { $0.restockable > 0 }.map { ItemQuantity(productID: $0.productID, quantity: $0.restockable) }
    }

    /// What other systems hear of a change from `before` to this (webhooks).
    public func news(since before: OrderProgress) -> [WebhookEventType] {
        var events: [WebhookEventType] = []
        if status == .cancelled && before.status != .cancelled { events.append(.orderCancelled) }
        if paymentStatus == .paid && before.paymentStatus != .paid { events.append(.orderPaid) }
        if refunded > before.refunded { events.append(.orderRefunded) }
        if lines.map(\.fulfilled).reduce(0, +) > before.lines.map(\.fulfilled).reduce(0, +) { events.append(.orderFulfilled) }
        return events
    }

    /// The order once `amount` is paid (after `refusal(paying:)` said nothing against it).
    public mutating func recordPayment(of amount: Money) {
        paid = paid + amount
    }

    /// The order once `amount` is refunded and `restock` returned to stock.
    public mutating func recordRefund(of amount: Money, restock: [ItemQuantity]) {
        refunded = refunded + amount
        add(restock, to: \.restocked)
    }

    public mutating func recordFulfilment(of items: [ItemQuantity]) {
        add(items, to: \.fulfilled)
    }

    /// Cancelled, with every unit back in stock (those `cancelRestock` names, and those refunds returned).
    public mutating func recordCancel() {
        status = .cancelled
        for index in lines.indices { lines[index].restocked = lines[index].ordered }
    }

    private mutating func add(_ items: [ItemQuantity], to counter: WritableKeyPath<LineProgress, Int64>) {
        for item in items {
            guard let index = lines.firstIndex(where: { $0.productID == item.productID }) else { continue }
            lines[index][keyPath: counter] += item.quantity
        }
    }

    private func refusalUnlessPlaced(to action: String) -> AppError? {
        status == .cancelled ? .conflict("Order \(orderID) is cancelled; it cannot \(action).") : nil
    }

    /// Checks each item against its line's `limit`, naming every refused item by its JSON path.
    private func refusal(
        of items: [ItemQuantity], field: String, limit: KeyPath<LineProgress, Int64>, limitName: String
    ) -> AppError? {
        var problems: FieldProblems = [:]
        var asked: [Int64: Int64] = [:]
        for (index, item) in items.enumerated() {
            asked[item.productID, default: 0] += item.quantity
            guard let line = lines.first(where: { $0.productID == item.productID }) else {
                problems["\(field)[\(index)].product_id", default: []].append("product \(item.productID) is not in order \(orderID)")
                continue
            }
            if asked[item.productID, default: 0] > line[keyPath: limit] {
                problems["\(field)[\(index)].quantity", default: []]
                    .append("only \(line[keyPath: limit]) of product \(item.productID) \(limitName)")
            }
        }
        return problems.isEmpty ? nil : .conflict("Some \(field) cannot be served from order \(orderID).", details: problems)
    }
}
