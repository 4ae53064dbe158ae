import Hummingbird
import Logging

/// One info line per request once it is answered: method, route pattern (never the raw path, which
/// may carry ids or query values), status and duration; the request id comes from the logger's metadata.
/// Bodies and headers are never logged, so passwords and tokens cannot reach a log.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info("Request", metadata: [
            "method": "\(request.method)",
            "route": "\(context.endpointPath ?? "unknown")",
            "status": "\(response.status.code)",
            "duration_ms": "\((milliseconds * 1000).rounded() / 1000)",
        ])
        return response
    }
}
