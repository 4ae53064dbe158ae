import HTTPTypes
import Hummingbird

/// Answers a request for a path that exists, with a method it lacks, 405 with `Allow` instead of the
/// router's 404. Added after every route, so it wraps only the router's not-found answer and costs
/// nothing on the routes themselves.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// Each route pattern with its methods, HEAD included wherever there is GET (the router makes it).
    private let patterns: [(path: RouterPath, allowed: String)]

    init(routes: [Router<Context>.RouteDescription]) {
        var methods: [String: (path: RouterPath, names: Set<String>)] = [:]
        for route in routes {
            methods[route.path.description, default: (route.path, [])].names.insert(route.method.rawValue)
        }
        patterns = methods.values.map { path, names in
            (path, (names.contains("GET") ? names.union(["HEAD"]) : names).sorted().joined(separator: ", "))
        }
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let (path, allowed) = pattern(matching: request.uri.path),
              !allowed.split(separator: ", ").contains(Substring(request.method.rawValue))
        else { return try await next(request, context) }
        context.coreContext.endpointPath.value = path.description
        throw HTTPError(.methodNotAllowed, headers: [.allow: allowed],
                        message: "\(request.method) is not allowed on this path; it allows \(allowed).")
    }

    /// The route pattern the router would pick for `path`: where several match, the one whose first
    /// differing segment is literal rather than a `{parameter}`.
    private func pattern(matching path: String) -> (path: RouterPath, allowed: String)? {
        let segments = path.split(separator: "/")
        var best: (pattern: (path: RouterPath, allowed: String), literals: [Bool])?
        for pattern in patterns where pattern.path.components.count == segments.count {
            guard zip(pattern.path.components, segments).allSatisfy({ $0 ~= $1 }) else { continue }
            let literals = zip(pattern.path.components, segments).map { $0 == $1 }
            if let current = best, !literals.lexicographicallyPrecedes(current.literals, by: { $0 && !$1 }) { continue }
            best = (pattern, literals)
        }
        return best?.pattern
    }
}
