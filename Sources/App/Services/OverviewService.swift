import Foundation

/// The shop at a glance, for the people who run it: today's orders, what waits for payment or
/// shipping, what is running out, and the latest orders.
public struct OverviewService: Sendable {
    let store: any Store
    let now: @Sendable () -> Date
    let lowStockThreshold: Int64

    struct Overview: Sendable {
        var ordersToday: Int64
        var revenueToday: Money
        var awaitingPayment: Int64
        var awaitingFulfillment: Int64
        var lowOnStock: [Product]
        var latestOrders: [Order]
    }

    /// How many products and orders the overview lists at most.
    static let listLength = 10

    /// "Today" is the UTC day, as an order's `date` is.
    func overview() async throws -> Overview {
        let startOfToday = Self.utcCalendar.startOfDay(for: now())
        return try await store.read { [lowStockThreshold] session in
            let today = try await session.placedOrderTally(since: startOfToday)
            let awaiting = try await session.ordersAwaiting()
            return Overview(
                ordersToday: today.count, revenueToday: today.revenue,
                awaitingPayment: awaiting.payment, awaitingFulfillment: awaiting.fulfillment,
                lowOnStock: try await session.productsLowOnStock(below: lowStockThreshold, limit: Self.listLength),
                latestOrders: try await session.latestOrders(limit: Self.listLength)
            )
        }
    }

    private static let utcCalendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()
}
