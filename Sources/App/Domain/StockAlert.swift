/// When a change of stock is news: it fell below the low-stock threshold from at or above it, or it
/// reached zero.
public enum StockAlert {
    public static let defaultThreshold: Int64 = 5

    static func events(before: Int64, after: Int64, threshold: Int64) -> [WebhookEventType] {
        var events: [WebhookEventType] = []
        if before >= threshold && after < threshold { events.append(.productStockLow) }
        if before > 0 && after == 0 { events.append(.productOutOfStock) }
        return events
    }
}
