import HTTPTypes
import Hummingbird

/// Gives every request an id: the client's `X-Request-ID` when it is up to 128 printable ASCII
/// characters, a new random one otherwise. It joins the request's logger metadata (`request_id`)
/// and is echoed in the response's `X-Request-ID`.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = request.headers[.requestID].flatMap(Self.acceptable) ?? Hex.random128()
        var context = context
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[.requestID] = id
        return response
    }

    private static func acceptable(_ id: String) -> String? {
        (1...128).contains(id.utf8.count) && id.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) ? id : nil
    }
}

extension HTTPField.Name {
    // Force-unwrapping a constant, valid field name cannot fail.
    static let requestID = HTTPField.Name("X-Request-ID")!
}
