import Hummingbird

// Who may call what. Every route checks one of the rules below before it reads a body, so a refused
// request learns nothing; another user's data answers 404, as if it did not exist.
//
//   Anyone           GET /, /health, /ready, /docs, /openapi.json, GET /products, GET /products/{id};
//                    POST /auth/register, POST /auth/login (throttled: AuthRateLimit, LoginThrottle);
//                    GET /metrics only with METRICS_TOKEN when one is set (MetricsController).
//   Signed in        GET /auth/me, POST /auth/logout; GET /orders (a customer sees only their own);
//   (requireCaller)  POST /orders (a customer only for their own user: 403 otherwise);
//                    GET and DELETE /orders/{id} (their own order, else 404), and its
//                    GET …/payments, …/refunds, …/fulfillments (OrderService.order(id:visibleTo:)).
//   Owner or admin   GET, PUT, PATCH /users/{id}; GET /users/{id}/orders;
//   (requireOwner)   GET, PUT, PATCH /users/{id}/account.
//   Admin            GET, POST /users (and POST /user); DELETE /users/{id}; DELETE /users/{id}/account;
//   (requireAdmin)   everything under /accounts; POST /products; PUT, PATCH, DELETE /products/{id}
//                    and its stock (PUT …/stock, GET …/stock/movements, POST …/stock/adjustments);
//                    POST /orders/{id}/payments, …/refunds, …/fulfillments.
//   The console      GET, POST /admin/sign-in and /admin/assets/* for anyone (sign-in throttled as the
//                    API's); every other /admin page an admin's, by the session cookie alone, and every
//                    POST there with the session's CSRF token (ConsoleSessionMiddleware).
//
// Roles (`Role`, `Caller.owns`) live with the domain; no request body can set one.

/// The access rules of the API, checked before a body is read so a refused request learns nothing.
extension AppRequestContext {
    /// Any signed-in account; 401 otherwise.
    func requireCaller() throws(AppError) -> Caller {
        guard let caller else { throw .unauthorized("Sign in: send Authorization: Bearer <token>.") }
        return caller
    }

    /// Admins only; 403 for customers.
    @discardableResult
    func requireAdmin() throws(AppError) -> Caller {
        let caller = try requireCaller()
        guard caller.isAdmin else { throw .forbidden("This action is for admins.") }
        return caller
    }

    /// The user's own data, or an admin. Another user's data answers 404, as if it did not exist.
    @discardableResult
    func requireOwner(ofUser userID: Int64) throws(AppError) -> Caller {
        let caller = try requireCaller()
        guard caller.owns(userID: userID) else { throw AppError.missing("user", userID) }
        return caller
    }
}
