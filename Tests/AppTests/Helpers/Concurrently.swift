import HTTPTypes
import HummingbirdTesting
import NIOCore

/// Sends `count` requests at once, each on its own connection to the server on `port`, and returns
/// their statuses.
func concurrently(
    _ count: Int, port: Int, _ method: HTTPRequest.Method, _ uri: String, body: String? = nil, headers: HTTPFields = [:]
) async throws -> [HTTPResponse.Status] {
    var headers = headers
    if body != nil { headers[.contentType] = "application/json" }
    let requestHeaders = headers
    return try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
        for _ in 0..<count {
            group.addTask {
                try await TestClient.withClient(host: "127.0.0.1", port: port) { connection in
                    let request = TestClient.Request(uri, method: method, headers: requestHeaders,
                                                     body: body.map { ByteBuffer(string: $0) })
                    return try await connection.execute(request).status
                }
            }
        }
        return try await group.reduce(into: []) { $0.append($1) }
    }
}
