import Hummingbird

/// CORS for a fixed list of origins (`CORS_ALLOWED_ORIGINS`): Hummingbird's CORSMiddleware answers
/// requests from a listed origin, including preflights; any other request passes by untouched, so a
/// browser on another origin gets no CORS headers and is refused by the browser itself.
struct AllowedOriginsCORSMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowedOrigins: Set<String>
    private let cors = CORSMiddleware<Context>(
        allowOrigin: .originBased,
        allowHeaders: [.accept, .authorization, .contentType, .origin, .requestID, .idempotencyKey],
        allowMethods: [.get, .post, .put, .patch, .delete, .head, .options],
        exposedHeaders: ["Link", "X-Request-ID", "Idempotent-Replayed", "Retry-After"],
        maxAge: .seconds(600)
    )

    init(allowedOrigins: [String]) {
        self.allowedOrigins = Set(allowedOrigins)
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let origin = request.headers[.origin], allowedOrigins.contains(origin) else {
            return try await next(request, context)
        }
        return try await cors.handle(request, context: context, next: next)
    }
}
