import Hummingbird

/// `/admin`: the shop at a glance.
struct ConsoleDashboardController {
    let overview: OverviewService
    let pages: ConsolePages
    let lowStockThreshold: Int64

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get(use: dashboard)
    }

    @Sendable func dashboard(_ request: Request, context: AppRequestContext) async throws -> Response {
        let overview = try await overview.overview()
        return pages.page("dashboard", title: "Dashboard", section: .dashboard, [
            "ordersToday": overview.ordersToday, "revenueToday": pages.money(overview.revenueToday),
            "awaitingPayment": overview.awaitingPayment, "awaitingFulfillment": overview.awaitingFulfillment,
            "lowStockThreshold": lowStockThreshold, "lowOnStock": overview.lowOnStock.map(pages.view),
            "orders": overview.latestOrders.map(pages.view),
        ], request: request, context: context)
    }
}
