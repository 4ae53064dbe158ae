/// The filters of `GET /products`; every one is optional and they combine with AND.
public struct ProductFilter: Sendable, Equatable {
    /// Name contains this text, ignoring case.
    public var nameContains: String?
    public var minPrice: Money?
    public var maxPrice: Money?
    public var inStock: Bool?

    public init(nameContains: String? = nil, minPrice: Money? = nil, maxPrice: Money? = nil, inStock: Bool? = nil) {
        self.nameContains = nameContains
        self.minPrice = minPrice
        self.maxPrice = maxPrice
        self.inStock = inStock
    }
}

extension ProductFilter {
    /// A minimum price above the maximum matches nothing: most likely the two were swapped, which the
    /// client is told rather than given an empty list.
    public var priceRangeIsInverted: Bool {
        guard let minPrice, let maxPrice else { return false }
        return minPrice > maxPrice
    }
}

/// The filters of `GET /orders`.
public struct OrderFilter: Sendable, Equatable {
    public var userID: Int64?
    public var status: OrderStatus?
    public var paymentStatus: PaymentStatus?
    public var fulfillmentStatus: FulfillmentStatus?

    public init(userID: Int64? = nil, status: OrderStatus? = nil, paymentStatus: PaymentStatus? = nil,
                fulfillmentStatus: FulfillmentStatus? = nil) {
        self.userID = userID
        self.status = status
        self.paymentStatus = paymentStatus
        self.fulfillmentStatus = fulfillmentStatus
    }
}
