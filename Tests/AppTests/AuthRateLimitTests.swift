@testable import App
import Foundation
import HTTPTypes
import NIOConcurrencyHelpers
import Testing
import TestSupport

/// The per-address limit on sign-in and registration attempts, and how the address is found.
@Suite struct AuthRateLimitTests {
    static let wrongLogin = #"{"username": "nobody-here", "password": "wrong password"}"#

    @Test func attemptsFromOneAddressBeyondTheLimitAreRefused() async throws {
        // Frozen: the bucket refills only when the test says, however slow the machine.
        let clock = TestClock(frozen: true)
        // The admin's own sign-in at start takes the first of the five.
        try await withApp(.live, configure: { $0.authRateLimit = 5 }, clock: clock) { client in
            for _ in 0..<4 {
                #expect(try await client.anonymous.post("/auth/login", Self.wrongLogin).status == .unauthorized)
            }
            let refused = try await client.anonymous.post("/auth/login", Self.wrongLogin)
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter].flatMap { Int($0) }.map { (1...60).contains($0) } == true)
            #expect(try await client.anonymous.post("/auth/register", AuthTests.registration("late")).status == .tooManyRequests)
            // Other routes are not limited.
            #expect(try await client.get("/products").status == .ok)
            // The bucket refills at the limit per minute.
            clock.advance(by: 60)
            #expect(try await client.anonymous.post("/auth/register", AuthTests.registration("late")).status == .created)
        }
    }

    @Test func forwardedForFromAnUntrustedPeerIsIgnoredAndWarnedOfOnce() async throws {
        let logs = LogCapture()
        try await withApp(.live, configure: { $0.authRateLimit = 3 }, logger: logs.logger, clock: TestClock(frozen: true)) { client in
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<4 {
                statuses.append(try await client.anonymous.send(.post, "/auth/login", body: Self.wrongLogin,
                                                                headers: [.xForwardedFor: "198.51.100.\(index)"]).status)
            }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests, .tooManyRequests])
            #expect(logs.text.components(separatedBy: "X-Forwarded-For").count - 1 == 1, "\(logs.text)")
        }
    }

    @Test func behindATrustedProxyEachForwardedClientHasItsOwnLimit() async throws {
        try await withApp(.live, configure: {
            $0.authRateLimit = 2
            $0.trustedProxies = [IPRange("127.0.0.0/8")!, IPRange("10.0.0.1")!]
        }, clock: TestClock(frozen: true)) { client in
            var statuses: [HTTPResponse.Status] = []
            // The right-most address no trusted proxy added is the client's: a forged left part changes nothing.
            for forwardedFor in ["203.0.113.9", "6.6.6.6, 203.0.113.9, 10.0.0.1", "7.7.7.7, 203.0.113.9", "203.0.113.10"] {
                statuses.append(try await client.anonymous.send(.post, "/auth/login", body: Self.wrongLogin,
                                                                headers: [.xForwardedFor: forwardedFor]).status)
            }
            #expect(statuses == [.unauthorized, .unauthorized, .tooManyRequests, .unauthorized])
        }
    }

    @Test func zeroTurnsTheLimitOff() async throws {
        try await withApp(.live, configure: { $0.authRateLimit = 0 }) { client in
            let statuses = try await concurrently(30, client.anonymous, .post, "/auth/login") {
                #"{"username": "nobody-\#($0)", "password": "wrong password"}"#
            }
            #expect(!statuses.contains(.tooManyRequests), "\(statuses)")
        }
    }

    @Test func ipRangesMatchTheirAddressesOnly() {
        #expect(IPRange("10.0.0.0/8")?.contains("10.200.3.4") == true)
        #expect(IPRange("10.0.0.0/8")?.contains("11.0.0.1") == false)
        #expect(IPRange("192.168.1.7")?.contains("192.168.1.7") == true)
        #expect(IPRange("192.168.1.7")?.contains("192.168.1.8") == false)
        #expect(IPRange("fd00::/8")?.contains("fd12::1") == true)
        #expect(IPRange("fd00::/8")?.contains("10.0.0.1") == false)
        #expect(IPRange("::1")?.contains("::1") == true)
        #expect(IPRange("127.0.0.0/8")?.contains("::ffff:127.0.0.1") == true)
        for invalid in ["", "10.0.0.0/33", "10.0.0", "example.com", "::/129", "1.2.3.4/"] {
            #expect(IPRange(invalid) == nil, "\(invalid)")
        }
    }

    @Test func passwordChecksBeyondTheQueueAreRefusedAtOnce() async throws {
        try await withApp(.live, configure: {
            // Slow enough that 30 requests arriving together find the one check and its two waiting places taken.
            $0.bcryptCost = 10
            $0.passwordChecks = (running: 1, waiting: 2)
        }) { client in
            let responses = try await concurrentResponses(30, port: try #require(client.port), .post, "/auth/login") {
                #"{"username": "unknown-\#($0)", "password": "wrong password"}"#
            }
            #expect(responses.allSatisfy { $0.status == .unauthorized || $0.status == .serviceUnavailable })
            let refused = responses.filter { $0.status == .serviceUnavailable }
            #expect(!refused.isEmpty)
            #expect(refused.allSatisfy { $0.headers[.retryAfter] == "1" })
        }
    }

    /// The gate behind the test above, without its reliance on 30 requests overlapping: with its one
    /// place taken and both waiting places filled, the next check is refused at once, and the waiting
    /// ones run, in turn, once the place is given back.
    @Test func aFullPasswordCheckQueueRefusesTheNextAtOnce() async throws {
        let gate = WorkGate(maxRunning: 1, maxWaiting: 2)
        let (opened, open) = AsyncStream<Void>.makeStream()
        let ran = NIOLockedValueBox<[Int]>([])
        var holders: [Task<Void, any Error>] = []
        for index in 0..<3 {
            holders.append(Task {
                try await gate.run {
                    ran.withLockedValue { $0.append(index) }
                    // One at a time (the gate lets one run), each takes one opening.
                    var openings = opened.makeAsyncIterator()
                    _ = await openings.next()
                }
            })
            try await eventually("check \(index) to run or wait") { ran.withLockedValue(\.count) + gate.waitingCount == index + 1 }
        }
        let refusal = await #expect(throws: AppError.self) {
            try await answer(of: "a fourth check") { try await gate.run { ran.withLockedValue { $0.append(3) } } }
        }
        #expect(refusal.map { if case .unavailable = $0 { true } else { false } } == true, "\(String(describing: refusal))")
        for _ in 0..<4 { open.yield() } // lets everyone finish, a fourth queued by mistake too
        for holder in holders { try await holder.value }
        #expect(ran.withLockedValue { $0 } == [0, 1, 2])
        try await gate.run {} // the place is free again
    }
}

