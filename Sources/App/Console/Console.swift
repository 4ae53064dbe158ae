import Hummingbird

/// The admin console at /admin: HTML pages served by the service itself for the people who run the
/// shop, over the same services (and so the same rules) as the API. Its pages answer people, so its
/// errors are pages too (`ErrorMiddleware` asks `ConsolePages`), and it is no part of the API's contract.
struct Console {
    let shop: Shop
    let pages: ConsolePages
    let attempts: SignInAttempts
    let lowStockThreshold: Int64
    let maxBodySize: Int

    func addRoutes(to router: Router<AppRequestContext>) {
        ConsoleSignInController(auth: shop.auth, pages: pages, attempts: attempts, maxBodySize: maxBodySize).addRoutes(to: router)
        let group = router.group("admin")
            .add(middleware: ConsoleSessionMiddleware(auth: shop.auth, pages: pages, maxBodySize: maxBodySize))
        group.post("sign-out", use: signOut)
        ConsoleDashboardController(overview: shop.overview, pages: pages, lowStockThreshold: lowStockThreshold).addRoutes(to: group)
        ConsoleProductsController(products: shop.products, pages: pages).addRoutes(to: group)
        ConsoleOrdersController(orders: shop.orders, lifecycle: shop.lifecycle, pages: pages).addRoutes(to: group)
        ConsoleUsersController(users: shop.users, accounts: shop.accounts, orders: shop.orders, pages: pages).addRoutes(to: group)
        ConsoleWebhooksController(webhooks: shop.webhooks, pages: pages).addRoutes(to: group)
    }

    /// Ends the session's token, as `POST /auth/logout` does.
    @Sendable func signOut(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await shop.auth.logout(try context.requireCaller())
        var response = pages.redirect(to: "/admin/sign-in", flash: .init(text: "Signed out."), request: request, context: context)
        response.setCookie(pages.cookies.removal(ConsoleSession.cookieName, request, context))
        return response
    }
}
