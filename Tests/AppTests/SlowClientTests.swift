import Foundation
import HTTPTypes
import Testing

/// Clients that hold connections without finishing their requests, over real sockets to a server
/// process with short limits: idle connections are closed, requests that trickle in are cut off, and
/// the server keeps answering everyone else meanwhile.
@Suite struct SlowClientTests {
    @Test func anIdleConnectionIsClosedAfterTheIdleTimeout() async throws {
        try await withTestDatabase { database in
            // The request is sent in the same step as the connection is made, so it never waits 5 s
            // (and the sign-in is tried again if it did).
            let server = try ServerProcess(databaseURL: database.url, environment: ["HTTP_IDLE_TIMEOUT": "5"])
            try await server.start()
            defer { server.terminate() }
            let silent = try RawConnection(port: server.port)
            let afterOneRequest = try await RawConnection.open(port: server.port, sending: "GET /health HTTP/1.1\r\nHost: test\r\n\r\n")

            // Each is closed 5 s after its last byte; 60 s is passed only if it is never closed.
            let (_, silentClosed) = await silent.readUntilClosed(timeout: .seconds(60))
            let (answer, keptAliveClosed) = await afterOneRequest.readUntilClosed(timeout: .seconds(60))
            #expect(silentClosed, "a connection that never sent a byte stays open")
            #expect(statusCode(of: answer) == 200)
            #expect(keptAliveClosed, "a kept-alive connection stays open")
        }
    }

    @Test func aRequestTrickledInSlowerThanTheReadTimeoutIsCutOff() async throws {
        try await withTestDatabase { database in
            let server = try ServerProcess(
                databaseURL: database.url, environment: ["HTTP_IDLE_TIMEOUT": "60", "REQUEST_READ_TIMEOUT": "2"]
            )
            try await server.start()
            defer { server.terminate() }
            let slowHead = try RawConnection(port: server.port)
            let slowBody = try RawConnection(port: server.port)
            async let headTrickle = trickle(slowHead, head: "GET /health HTTP/1.1\r\nHost: test\r\n", then: String(repeating: "X-Slow: 1\r\n", count: 100))
            async let bodyTrickle = trickle(
                slowBody,
                head: "POST /auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 200\r\n\r\n",
                then: String(repeating: " ", count: 200)
            )
            // Everyone else is served meanwhile.
            for _ in 0..<5 {
                #expect(await server.send(.get, "/health")?.status == .ok)
                try await Task.sleep(for: .milliseconds(200))
            }
            // Each is cut off 2 s after its request began. 30 s is passed only if it never is, and is
            // well below the 60 s idle timeout that would close it otherwise (without a 408).
            let (headAnswer, headClosed) = await slowHead.readUntilClosed(timeout: .seconds(30))
            let (bodyAnswer, bodyClosed) = await slowBody.readUntilClosed(timeout: .seconds(30))
            _ = await (headTrickle, bodyTrickle)
            // Trickled in full, the head would take 4.5 minutes and the body 50 s.
            #expect(headClosed, "a trickled head is waited on")
            #expect(bodyClosed, "a trickled body is waited on")
            for answer in [headAnswer, bodyAnswer] {
                #expect(statusCode(of: answer) == 408, "\(answer)")
                #expect(body(of: answer).contains(#""error":true"#), "\(answer)")
            }
            #expect(await server.send(.get, "/health")?.status == .ok)
        }
    }

    /// The read deadline is per request: a connection that goes on sending whole requests stays open.
    @Test func aKeptAliveConnectionOutlivesTheReadTimeout() async throws {
        try await withTestDatabase { database in
            let server = try ServerProcess(databaseURL: database.url, environment: ["REQUEST_READ_TIMEOUT": "3"])
            try await server.start()
            defer { server.terminate() }
            let connection = try RawConnection(port: server.port)
            // Twelve requests back to back, over more than 3 s: each head in two parts 0.3 s apart, far
            // within its own 3 s, so that the connection's first deadline most likely passes mid-request.
            // Sent in one step, on a thread of its own: every pause is the test's 0.3 s (between two
            // awaited sends, the whole suite's busy threads once left more than 3 s).
            let requests = Array(repeating: ["GET /health HTTP/1.1\r\n", "Host: test\r\n\r\n"], count: 12).flatMap { $0 }
            #expect(await connection.send(requests, pausing: .milliseconds(300)), "the connection was closed")
            // All twelve answered (however long a loaded server takes: the limit only stops a hang),
            // and the connection still serves a thirteenth.
            let answered = { @Sendable (text: String) in text.components(separatedBy: "HTTP/1.1 200 OK").count - 1 }
            let (answers, _) = await connection.read(until: { answered($0) == 12 }, timeout: .seconds(60))
            #expect(answered(answers) == 12, "\(answers)")
            #expect(await connection.send("GET /health HTTP/1.1\r\nHost: test\r\n\r\n"), "the connection was closed")
            let (last, closed) = await connection.read(until: { answered($0) == 1 }, timeout: .seconds(60))
            #expect(answered(last) == 1 && !closed, "\(last)")
        }
    }

    /// Sends `head`, then `rest` a byte every quarter second until the server closes or 15 s pass.
    private func trickle(_ connection: RawConnection, head: String, then rest: String) async {
        guard await connection.send(head) else { return }
        let deadline = ContinuousClock.now + .seconds(15)
        for character in rest where ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(250))
            guard await connection.send(String(character)) else { return }
        }
    }
}
