import JSONSupport
import Foundation
import HTTPTypes
import Hummingbird

/// A list page: a JSON array and, when more items exist, an RFC 8288 `Link` to the next page.
struct ListResponse<Item: JSONWritable & Sendable>: ResponseGenerator {
    let items: [Item]
    let next: String?

    init<Value>(_ page: Page<Value>, request: Request, transform: (Value) -> Item) {
        items = page.items.map(transform)
        next = page.nextAfterID.map(request.nextPageLink(afterID:))
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response.json(JSONWriter.bytes(of: items), headers: next.map { [.link: "<\($0)>; rel=\"next\""] } ?? [:])
    }
}

extension Request {
    /// The same path and query with the cursor moved; other parameters keep their original encoding.
    func nextPageLink(afterID: Int64) -> String {
        let kept = (uri.query ?? "").split(separator: "&").filter { !$0.hasPrefix("after_id=") && $0 != "after_id" }
        return uri.path + "?" + (kept + ["after_id=\(afterID)"]).joined(separator: "&")
    }
}

/// A single resource with a status other than 200, e.g. 201 Created.
struct Created<Body: JSONResponse>: ResponseGenerator {
    let body: Body

    func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = try body.response(from: request, context: context)
        response.status = .created
        return response
    }
}

extension HTTPField.Name {
    // Force-unwrapping a constant, valid field name cannot fail.
    static let link = HTTPField.Name("Link")!
    static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    static let idempotentReplayed = HTTPField.Name("Idempotent-Replayed")!
}

