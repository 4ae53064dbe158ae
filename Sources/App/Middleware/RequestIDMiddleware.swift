import HTTPTypes
import Hummingbird
import Synchronization

/// Gives every request an id: the client's `X-Request-ID` when it is up to 128 printable ASCII
/// characters, a new one otherwise (`RequestIDs`). It joins the request's logger metadata
/// (`request_id`) and is echoed in the response's `X-Request-ID`.
struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let id = request.headers[.requestID].flatMap(Self.acceptable) ?? RequestIDs.next()
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

/// New request ids, 32 hex digits, without a system call each (two `getrandom` calls per request
/// were a percent of `/health`): a random half drawn once per process tells processes apart, and a
/// counter passed through a bijection keyed once per process makes the other half unique within it
/// without showing how many requests came before. An id names a request in the logs; it guards nothing.
enum RequestIDs {
    private static let processHalf = UInt64.random(in: .min ... .max)
    private static let key = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)

    static func next() -> String {
        let count = counter.add(1, ordering: .relaxed).newValue
        return Hex.string(of: processHalf, SeededRandom.scramble(count ^ key))
    }
}

extension HTTPField.Name {
    // Force-unwrapping a constant, valid field name cannot fail.
    static let requestID = HTTPField.Name("X-Request-ID")!
}
