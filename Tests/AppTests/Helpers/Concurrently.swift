import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// Sends `count` requests at once, each on its own connection to the live server behind `client`,
/// with the client's credentials, and returns their statuses.
func concurrently(
    _ count: Int, _ client: APIClient, _ method: HTTPRequest.Method, _ uri: String, body: String? = nil,
    headers: HTTPFields = [:]
) async throws -> [HTTPResponse.Status] {
    try await concurrently(count, client, method, uri, headers: headers) { _ in body }
}

/// As above, the request numbered `index` (from 0) with the body `body(index)`.
func concurrently(
    _ count: Int, _ client: APIClient, _ method: HTTPRequest.Method, _ uri: String, headers: HTTPFields = [:],
    body: @escaping @Sendable (Int) -> String?
) async throws -> [HTTPResponse.Status] {
    try await concurrentResponses(count, port: try #require(client.port, "needs a live server"), authorization: client.authorization,
                                  method, uri, headers: headers, body: body).map(\.status)
}

/// As above, to the live server on `port`, returning whole responses.
func concurrentResponses(
    _ count: Int, port: Int, authorization: String? = nil, _ method: HTTPRequest.Method, _ uri: String,
    headers: HTTPFields = [:], body: @escaping @Sendable (Int) -> String?
) async throws -> [APIResponse] {
    var headers = headers
    if let authorization { headers[.authorization] = authorization }
    let plainHeaders = headers
    headers[.contentType] = "application/json"
    let jsonHeaders = headers
    return try await withThrowingTaskGroup(of: APIResponse.self) { group in
        for index in 0..<count {
            group.addTask {
                let body = body(index)
                let headers = body == nil ? plainHeaders : jsonHeaders
                return try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(90))) { connection in
                    let request = TestClient.Request(uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
                    let response = try await connection.execute(request)
                    return APIResponse(status: response.status, headers: response.headers,
                                       body: response.body.map { String(buffer: $0) } ?? "")
                }
            }
        }
        return try await group.reduce(into: []) { $0.append($1) }
    }
}
