import Foundation

extension StoreSession {
    /// Stores a payment's, refund's, fulfilment's or cancel's change to an order, and in the same
    /// transaction the events it is news of (`OrderProgress.news`), each carrying the order as
    /// `GET /orders/{id}` returns it now. The one place lifecycle changes are written.
    func storeProgress(_ progress: OrderProgress, changedFrom before: OrderProgress, _ currency: Currency, at time: Date) async throws {
        try await writeProgress(progress, changedFrom: before, at: time)
        let news = progress.news(since: before)
        guard !news.isEmpty else { return }
        guard let order = try await order(id: progress.orderID) else { throw StoreInvariantError.missingRow }
        for type in news {
            try await recordEvent(type, OrderResponse(order, currency: currency), at: time)
        }
    }
}
