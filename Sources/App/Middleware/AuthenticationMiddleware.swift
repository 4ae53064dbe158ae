import Hummingbird

/// Resolves `Authorization: Bearer <token>` to the calling account. An unknown, expired or revoked
/// token leaves the request anonymous: public routes still answer, others refuse with 401.
struct AuthenticationMiddleware: RouterMiddleware {
    let auth: AuthService

    func handle(
        _ request: Request, context: AppRequestContext, next: (Request, AppRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7,
              header.prefix(7).lowercased() == "bearer "
        else { return try await next(request, context) }
        var context = context
        context.caller = try await auth.authenticate(token: String(header.dropFirst(7)))
        return try await next(request, context)
    }
}
