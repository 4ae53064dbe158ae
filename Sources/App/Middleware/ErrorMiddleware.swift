import JSONSupport
import Foundation
import Hummingbird
import NIOCore
import NIOHTTP1

/// Renders every error as `{"error": true, "reason": …, "details": …}`. Domain errors keep their
/// reason; anything unexpected is logged in full and answered with a generic 500 that reveals nothing.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as AppError {
            return Self.response(for: error)
        } catch let error as HTTPError {
            let reason = error.status == .notFound
                ? "There is no route \(request.method) \(request.uri.path)."
                : error.body ?? error.status.reasonPhrase
            return Self.response(ErrorBody(reason: reason), status: error.status, headers: error.headers)
        } catch let error as any HTTPResponseError {
            return Self.response(ErrorBody(reason: error.status.reasonPhrase), status: error.status)
        } catch is ClientClosedConnection {
            // Anyone can hang up mid-body: not a server error, so neither logged as one nor counted as a 5xx.
            context.logger.debug("Client closed the connection before its request arrived whole", metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)",
            ])
            AppMetrics.requestsAbortedByClient.increment()
            return Response(status: .clientClosedRequest)
        } catch is HTTPParserError {
            // A malformed body (e.g. a bad chunk): nothing more can be read on this connection.
            return Self.response(ErrorBody(reason: ConnectionGuard.malformedReason), status: .badRequest,
                                 headers: [.connection: "close"])
        } catch {
            context.logger.error("Unexpected error", metadata: [
                "error": "\(String(reflecting: error))", "method": "\(request.method)", "path": "\(request.uri.path)",
            ])
            return Self.response(ErrorBody(reason: "An unexpected error occurred."), status: .internalServerError)
        }
    }

    static func response(for error: AppError) -> Response {
        switch error {
        case .validation(let problems):
            response(ErrorBody(reason: "The request has invalid fields: \(AppError.summary(of: problems)).", details: problems),
                     status: .badRequest)
        case .badRequest(let reason):
            response(ErrorBody(reason: reason), status: .badRequest)
        case .unsupportedMediaType(let reason):
            response(ErrorBody(reason: reason), status: .unsupportedMediaType)
        case .notFound(let reason):
            response(ErrorBody(reason: reason), status: .notFound)
        case .unauthorized(let reason):
            response(ErrorBody(reason: reason), status: .unauthorized, headers: [.wwwAuthenticate: "Bearer"])
        case .forbidden(let reason):
            response(ErrorBody(reason: reason), status: .forbidden)
        case .tooManyRequests(let reason, let retryAfter):
            response(ErrorBody(reason: reason), status: .tooManyRequests, headers: [.retryAfter: "\(retryAfter)"])
        case .conflict(let reason, let details):
            response(ErrorBody(reason: reason, details: details.isEmpty ? nil : details), status: .conflict)
        case .outOfStock(let productIDs):
            response(ErrorBody(
                reason: "Not enough stock for product\(productIDs.count == 1 ? "" : "s") "
                    + productIDs.map(String.init).joined(separator: ", ") + "; nothing was ordered.",
                productIDs: productIDs
            ), status: .conflict)
        case .stockMismatch(let current):
            response(ErrorBody(
                reason: "The stock is \(current), not the expected quantity; nothing was changed.",
                details: ["expected_quantity": ["does not match the current quantity \(current)"]],
                currentQuantity: current
            ), status: .preconditionFailed)
        case .idempotencyKeyReused:
            response(ErrorBody(reason: "This Idempotency-Key was already used with a different request."),
                     status: .unprocessableContent)
        case .unavailable(let reason):
            response(ErrorBody(reason: reason), status: .serviceUnavailable, headers: [.retryAfter: "1"])
        case .upstream(let reason):
            response(ErrorBody(reason: reason), status: .badGateway)
        }
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
