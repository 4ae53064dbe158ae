/// The one error type of the service. Services throw it; `ErrorMiddleware` renders it.
/// It names what went wrong in domain terms; the middleware chooses the HTTP status.
public enum AppError: Error, Sendable, Equatable {
    /// One or more fields of the request are invalid; keyed by the field's JSON name.
    case validation(FieldProblems)
    /// The request as a whole cannot be read (malformed JSON, a body that is not an object).
    case badRequest(String)
    /// The request's body is not JSON.
    case unsupportedMediaType(String)
    case notFound(String)
    /// No valid credentials: a missing, invalid, expired or revoked token, or a failed sign-in.
    case unauthorized(String)
    /// Valid credentials without the right to this action.
    case forbidden(String)
    /// Too many failed sign-ins; the client may try again after `retryAfter` seconds.
    case tooManyRequests(String, retryAfter: Int)
    /// The request conflicts with the current state; `details` names the fields involved, if any.
    case conflict(String, details: FieldProblems = [:])
    /// Some lines of an order cannot be served from stock.
    case outOfStock(productIDs: [Int64])
    /// A compare-and-set of stock found another quantity than the client expected.
    case stockMismatch(current: Int64)
    /// The same idempotency key came with a different request.
    case idempotencyKeyReused
    /// The database is busy beyond its timeout; the client may retry.
    case unavailable(String)
    /// A service this one calls (Stripe) could not be reached or refused; nothing was changed here.
    case upstream(String)
}

/// Messages per field, by the field's JSON name (`items[0].quantity`), in the order they were found.
public typealias FieldProblems = [String: [String]]

extension AppError {
    static func invalid(_ field: String, _ message: String) -> AppError {
        .validation([field: [message]])
    }
}

extension AppError {
    /// Every problem on one line, each after its field's JSON path: "items[0].quantity must be at
    /// least 1; name must not be empty".
    static func summary(of problems: FieldProblems) -> String {
        problems.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.joined(separator: ", "))" }
            .joined(separator: "; ")
    }

    /// The error as one line, for command-line tools.
    var problemSummary: String {
        if case .validation(let problems) = self { return Self.summary(of: problems) }
        return reason
    }
}
