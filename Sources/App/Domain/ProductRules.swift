/// What a product may be: the limits of its fields and of a stock adjustment.
enum ProductRules {
    static let price = Money.zero...Money(cents: 100_000_000_000)
    static let quantity: ClosedRange<Int64> = 0...Product.maximumStock
    static let name = TextRule.line(1...255)
    static let description = TextRule.length(0...10_000)
    static let sku = TextRule.line(1...64)
    /// One adjustment moves stock by at most this much either way.
    static let stockDelta: ClosedRange<Int64> = -1_000_000_000...1_000_000_000
}
