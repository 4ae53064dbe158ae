import JSONSupport
import Foundation
import Hummingbird
import NIOCore

extension Request {
    /// The body as JSON: 415 for another content type, 413 above `limit` bytes, 400 when empty or malformed.
    mutating func jsonBody(limit: Int) async throws -> JSONValue {
        try requireJSONContentType()
        let buffer = try await collectBody(upTo: limit)
        guard buffer.readableBytes > 0 else { throw AppError.badRequest("The request body is empty; JSON is expected.") }
        do {
            return try buffer.withUnsafeReadableBytes { try JSONParser.parse($0) }
        } catch let invalid as JSONParser.Invalid {
            throw AppError.badRequest("The request body is not valid JSON: \(invalid).")
        }
    }

    /// 415 when the body is declared as anything but JSON; a body without a declared type is read as JSON.
    func requireJSONContentType() throws {
        if let contentType = headers[.contentType], !Self.isJSON(contentType) {
            throw AppError.unsupportedMediaType("The request body must be JSON (Content-Type: application/json).")
        }
    }

    private static func isJSON(_ contentType: String) -> Bool {
        if contentType == "application/json" { return true } // nearly every request, without Foundation's trimming
        let mediaType = contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}

extension RequestContext {
    /// A path id: a positive integer that fits in 64 bits, or the resource cannot exist (404, saying
    /// what ids look like, for a client that put a name or a placeholder in the path).
    func id(_ name: String = "id") throws -> Int64 {
        guard let text = parameters.get(name), text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let id = Int64(text), id > 0
        else { throw AppError.notFound("There is no such resource: ids in paths are positive integers.") }
        return id
    }
}
