import Hummingbird
import JSONSupport

extension Money: JSONWritable {
    public func write(to json: inout JSONWriter) { json.decimal(cents, fractionDigits: Money.scale) }
}

/// A response body written with `JSONWriter`, served as `application/json`.
protocol JSONResponse: JSONWritable, ResponseGenerator, Sendable {}

extension JSONResponse {
    func response(from request: Request, context: some RequestContext) throws -> Response {
        Response.json(JSONWriter.bytes(of: self))
    }
}

extension Response {
    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
