import JSONSupport
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// Renders every error as `{"error": true, "reason": …, "details": …}`, or, under /admin, as the
/// console's HTML error page. Domain errors keep their reason; anything unexpected is logged in full
/// and answered with a generic 500 that reveals nothing.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The console's pages, for errors of requests under /admin.
    let console: ConsolePages?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let console = console.flatMap { ConsolePages.isConsole(request.uri.path) ? $0 : nil }
            return response(for: error, request, context, console: console)
        }
    }

    private func response(for error: any Error, _ request: Request, _ context: Context, console: ConsolePages?) -> Response {
        let body: ErrorBody
        let status: HTTPResponse.Status
        var headers: HTTPFields = [:]
        switch error {
        case let error as AppError:
            guard let console else { return Self.response(for: error) }
            return console.errorPage(status: error.status, reason: error.reason, headers: error.headers)
        case let error as HTTPError:
            body = ErrorBody(reason: error.status == .notFound
                ? "There is no route \(request.method) \(request.uri.path)."
                : error.body ?? error.status.reasonPhrase)
            (status, headers) = (error.status, error.headers)
        case let error as any HTTPResponseError:
            (body, status) = (ErrorBody(reason: error.status.reasonPhrase), error.status)
        case is ClientClosedConnection:
            // Anyone can hang up mid-body: not a server error, so neither logged as one nor counted as a 5xx.
            context.logger.debug("Client closed the connection before its request arrived whole", metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)",
            ])
            AppMetrics.requestsAbortedByClient.increment()
            return Response(status: .clientClosedRequest)
        case is HTTPParserError:
            // A malformed body (e.g. a bad chunk): nothing more can be read on this connection.
            (body, status, headers) = (ErrorBody(reason: ConnectionGuard.malformedReason), .badRequest, [.connection: "close"])
        default:
            context.logger.error("Unexpected error", metadata: [
                "error": "\(String(reflecting: error))", "method": "\(request.method)", "path": "\(request.uri.path)",
            ])
            (body, status) = (ErrorBody(reason: "An unexpected error occurred."), .internalServerError)
        }
        if let console { return console.errorPage(status: status, reason: body.reason, headers: headers) }
        return Self.response(body, status: status, headers: headers)
    }

    static func response(for error: AppError) -> Response {
        var body = ErrorBody(reason: error.reason)
        let problems = error.fieldProblems
        if !problems.isEmpty { body.details = problems }
        if case .outOfStock(let productIDs) = error { body.productIDs = productIDs }
        if case .stockMismatch(let current) = error { body.currentQuantity = current }
        return response(body, status: error.status, headers: error.headers)
    }

    private static func response(_ body: ErrorBody, status: HTTPResponse.Status, headers: HTTPFields = [:]) -> Response {
        Response.json(JSONWriter.bytes(of: body), status: status, headers: headers)
    }
}

extension HTTPResponse.Status {
    /// nginx's status for a request whose client left before it was answered; no client ever sees
    /// it, but the request log and `hb_requests` do.
    static let clientClosedRequest = HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request")
}

/// The one shape of every error body.
struct ErrorBody: JSONWritable {
    let error = true
    let reason: String
    var details: FieldProblems?
    /// Set when an order fails for lack of stock: the short products.
    var productIDs: [Int64]?
    /// Set when a stock compare-and-set fails: the stock as it is.
    var currentQuantity: Int64?

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("error", error)
            object.field("reason", reason)
            if let details { object.field("details", details) }
            if let productIDs { object.field("product_ids", productIDs) }
            if let currentQuantity { object.field("current_quantity", currentQuantity) }
        }
    }
}
