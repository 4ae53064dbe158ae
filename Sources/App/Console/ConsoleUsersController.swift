import Hummingbird

/// `/admin/users`: the shop's users, each with their account and latest orders. Read only: customers
/// change their own details and passwords.
struct ConsoleUsersController {
    let users: UserService
    let accounts: AccountService
    let orders: OrderService
    let pages: ConsolePages

    /// How many of a user's orders their page lists (the orders page filters by user for all of them).
    static let ordersShown = PageRequest(limit: 20)

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("users", use: list)
        group.get("users/:id", use: show)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        let found = try await users.list(try QueryReader.page(of: request))
        var values: [String: Any] = ["users": found.items.map(pages.view)]
        if let next = found.nextAfterID { values["nextPage"] = request.nextPageLink(afterID: next) }
        return pages.page("users", title: "Users", section: .users, values, request: request, context: context)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        let user = try await users.get(id: try context.id())
        var values: [String: Any] = [
            "user": pages.view(user),
            "orders": try await orders.list(userID: user.id, OrderFilter(), Self.ordersShown).items.map(pages.view),
        ]
        do {
            let account = try await accounts.get(.user(user.id))
            values["account"] = ["id": account.id, "username": account.username, "role": account.role.rawValue]
        } catch AppError.notFound {
            // A user need not have an account: the page says so.
        }
        return pages.page("user", title: user.name, section: .users, values, request: request, context: context)
    }
}
