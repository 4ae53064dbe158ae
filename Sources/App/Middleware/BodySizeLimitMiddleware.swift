import Hummingbird

/// Refuses a request whose declared `Content-Length` is over the limit with 413 before a byte of
/// its body is read, with `Connection: close` so that the connection is closed (`ConnectionGuard`)
/// rather than left reading that body. A body without a declared length (chunked) is held to the
/// same limit as the route reads it.
struct BodySizeLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    let maxBodySize: Int

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if let declared = request.headers[.contentLength], Int(declared).map({ $0 > maxBodySize }) ?? true {
            throw HTTPError(.contentTooLarge, headers: [.connection: "close"],
                            message: "The request body is larger than \(maxBodySize) bytes.")
        }
        return try await next(request, context)
    }
}
