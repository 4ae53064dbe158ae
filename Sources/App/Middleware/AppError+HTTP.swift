import HTTPTypes

/// How each error reaches whoever made the request: its status, its one-line reason and the headers
/// that go with the status. The API renders them as JSON (`ErrorMiddleware`), the console as pages.
extension AppError {
    var status: HTTPResponse.Status {
        switch self {
        case .validation, .badRequest: .badRequest
        case .unsupportedMediaType: .unsupportedMediaType
        case .notFound: .notFound
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .tooManyRequests: .tooManyRequests
        case .conflict, .outOfStock: .conflict
        case .stockMismatch: .preconditionFailed
        case .idempotencyKeyReused: .unprocessableContent
        case .unavailable: .serviceUnavailable
        case .upstream: .badGateway
        }
    }

    var reason: String {
        switch self {
        case .validation(let problems):
            "The request has invalid fields: \(Self.summary(of: problems))."
        case .badRequest(let reason), .unsupportedMediaType(let reason), .notFound(let reason),
             .unauthorized(let reason), .forbidden(let reason), .unavailable(let reason), .upstream(let reason),
             .tooManyRequests(let reason, _), .conflict(let reason, _):
            reason
        case .outOfStock(let productIDs):
            "Not enough stock for product\(productIDs.count == 1 ? "" : "s") "
                + productIDs.map(String.init).joined(separator: ", ") + "; nothing was ordered."
        case .stockMismatch(let current):
            "The stock is \(current), not the expected quantity; nothing was changed."
        case .idempotencyKeyReused:
            "This Idempotency-Key was already used with a different request."
        }
    }

    /// The fields the error names, with what is wrong with each, by their JSON names.
    var fieldProblems: FieldProblems {
        switch self {
        case .validation(let problems), .conflict(_, let problems): problems
        case .stockMismatch(let current): ["expected_quantity": ["does not match the current quantity \(current)"]]
        default: [:]
        }
    }

    var headers: HTTPFields {
        switch self {
        case .unauthorized: [.wwwAuthenticate: "Bearer"]
        case .tooManyRequests(_, let retryAfter): [.retryAfter: "\(retryAfter)"]
        case .unavailable: [.retryAfter: "1"]
        default: [:]
        }
    }
}
