import Foundation
import HTTPTypes
import Testing
import TestSupport

/// What the service answers at the edges of HTTP itself: a body too large to read, a client that
/// leaves mid-body, a method a path does not have, HEAD, and bytes that are not HTTP at all.
@Suite struct HTTPProtocolTests {
    @Test func aDeclaredBodyOverTheLimitIsRefusedBeforeItIsRead() async throws {
        try await withApp(.live) { client in
            let connection = try RawConnection(port: try #require(client.port))
            await connection.send(
                "POST /products HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n"
            )
            // Closed as soon as answered; 30 s is passed only by a connection left open.
            let (answer, closed) = await connection.readUntilClosed(timeout: .seconds(30))
            #expect(statusCode(of: answer) == 413, "\(answer)")
            #expect(body(of: answer).contains(#""error":true"#), "\(answer)")
            #expect(closed, "the connection stays open, waiting for the body")
        }
    }

    @Test func aClientThatLeavesMidBodyIsCountedApartNotAsAServerError() async throws {
        try await withTestDatabase { database in
            let server = try ServerProcess(databaseURL: database.url)
            try await server.start()
            defer { server.terminate() }
            let connection = try RawConnection(port: server.port)
            await connection.send(
                "POST /auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"userna"
            )
            try await Task.sleep(for: .milliseconds(200))
            connection.close()

            var metrics = ""
            try await eventually("the aborted request to be counted") {
                metrics = await server.send(.get, "/metrics")?.body ?? ""
                return MetricsTests().sample(metrics, "ecommerce_requests_aborted_by_client") == 1
            }
            #expect(MetricsTests().sample(metrics, "hb_requests", [#"http_response_status_code="500""#]) == 0)
            #expect(MetricsTests().sample(metrics, "http_server_request_duration_count", [#"http_response_status_code="500""#]) == 0)
            let errors = server.log.split(separator: "\n").filter { $0.contains(" error ") }
            #expect(errors.isEmpty, "\(errors)")
        }
    }

    @Test func aMethodAPathDoesNotHaveIs405WithAllowWhoeverCalls() async throws {
        try await withApp { client in
            let cases: [(HTTPRequest.Method, String, String)] = [
                (.delete, "/products", "GET, HEAD, POST"),
                (.patch, "/orders/1", "DELETE, GET, HEAD"),
                (.post, "/products/1", "DELETE, GET, HEAD, PATCH, PUT"),
                (.get, "/auth/login", "POST"),
            ]
            for (method, path, allowed) in cases {
                for caller in [client, client.anonymous, client.as("not-a-token")] {
                    let response = try await caller.send(method, path)
                    #expect(response.status == .methodNotAllowed, "\(method) \(path): \(response.status)")
                    #expect(response.headers[.allow] == allowed, "\(method) \(path)")
                    #expect(response.json["error"].bool == true)
                    #expect(response.json["reason"].string?.contains(allowed) == true, "\(response.body)")
                }
            }
            #expect(try await client.send(.delete, "/nothing-here").status == .notFound)
        }
    }

    @Test func headAnswersLikeGetWithoutABody() async throws {
        try await withApp { client in
            _ = try await client.post("/products", #"{"name": "Cup", "price": 2.5, "quantity": 3}"#)
            for (path, caller) in [("/products", client.anonymous), ("/health", client.anonymous), ("/auth/me", client),
                                   ("/auth/me", client.anonymous), ("/products/999999", client), ("/users", client)] {
                let get = try await caller.get(path)
                let head = try await caller.send(.head, path)
                #expect(head.status == get.status, "HEAD \(path)")
                #expect(head.body.isEmpty, "HEAD \(path): \(head.body)")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(path)")
                #expect(head.headers[.contentLength] == get.headers[.contentLength], "HEAD \(path)")
                #expect(head.headers[.wwwAuthenticate] == get.headers[.wwwAuthenticate], "HEAD \(path)")
                #expect(head.headers[HTTPField.Name("Link")!] == get.headers[HTTPField.Name("Link")!], "HEAD \(path)")
            }
        }
    }

    @Test(arguments: [
        "NOT HTTP AT ALL\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: test\r\nX-Big: " + String(repeating: "a", count: 100 * 1024) + "\r\n\r\n",
        "GET /he alth HTTP/1.1\r\nHost: test\r\n\r\n",
        // A malformed chunk, met by the route while it reads the body.
        "POST /auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
    ])
    func bytesThatAreNotHTTPAreAJSON400(request: String) async throws {
        try await withApp(.live) { client in
            let connection = try RawConnection(port: try #require(client.port))
            await connection.send(request)
            // Closed as soon as answered; 30 s is passed only by a connection left open.
            let (answer, closed) = await connection.readUntilClosed(timeout: .seconds(30))
            #expect(statusCode(of: answer) == 400, "\(answer)")
            #expect(answer.lowercased().contains("content-type: application/json"), "\(answer)")
            #expect(body(of: answer).contains(#""error":true"#), "\(answer)")
            #expect(closed)
        }
    }
}
