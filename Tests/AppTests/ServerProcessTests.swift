import Foundation
import HTTPTypes
import Testing

/// Whole servers as processes: killed mid-stream, or two sharing one database.
@Suite(.serialized) struct ServerProcessTests {
    /// Initial stock of each seeded product.
    private static let initialStock: Int64 = 1000

    private func seed(_ server: ServerProcess, products: Int, stock: Int64) async throws -> (user: Int64, products: [Int64]) {
        let user = try #require(await server.send(.post, "/users", body: #"{"name": "Crash", "email": "crash@example.com", "phone": "5551234567"}"#))
        var productIDs: [Int64] = []
        for index in 0..<products {
            let product = try #require(await server.send(
                .post, "/products", body: #"{"name": "P\#(index)", "price": 1.25, "quantity": \#(stock)}"#
            ))
            productIDs.append(try #require(product.json["id"].int))
        }
        return (try #require(user.json["id"].int), productIDs)
    }

    @Test func ordersAnsweredBeforeASIGKILLSurviveAndStockAddsUp() async throws {
        try await withTestDatabase { database in
            let first = try ServerProcess(databaseURL: database.url)
            try await first.start()
            let (user, products) = try await seed(first, products: 3, stock: Self.initialStock)

            // Four clients place orders until the server dies under them, once enough were answered.
            let progress = AnswerCount()
            let answered = await withTaskGroup(of: [(status: HTTPResponse.Status, body: String)].self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        var answers: [(HTTPResponse.Status, String)] = []
                        for round in 0..<2000 {
                            let lines = products.enumerated()
                                .filter { ($0.offset + round + worker) % 2 == 0 }
                                .map { #"{"product_id": \#($0.element), "quantity": \#(1 + (round % 3))}"# }
                            guard let response = await first.send(.post, "/orders", body: #"{"user_id": \#(user), "items": [\#(lines.joined(separator: ","))]}"#)
                            else {
                                // Unanswered only because of the kill; before it, a lost request is a failure.
                                await progress.noteUnanswered(worker: worker, round: round)
                                break
                            }
                            answers.append((response.status, response.body))
                            await progress.increment()
                        }
                        return answers
                    }
                }
                group.addTask {
                    // 60 answers take about a second; the limit is there only so that a server that
                    // stalls fails the test below instead of hanging it.
                    let deadline = ContinuousClock.now + .seconds(120)
                    while await progress.value < 60, ContinuousClock.now < deadline {
                        try? await Task.sleep(for: .milliseconds(20))
                    }
                    await progress.startKilling()
                    await first.stop(signal: SIGKILL)
                    return []
                }
                return await group.reduce(into: []) { $0 += $1 }
            }
            #expect(answered.count >= 60, "only \(answered.count) orders answered in 120 s before the kill: too few to prove anything")
            let unansweredBeforeKill = await progress.unansweredBeforeKill
            #expect(unansweredBeforeKill.isEmpty, "no answer before the kill: \(unansweredBeforeKill)")
            // Placed, or refused for stock that ran out: nothing else is a right answer to these orders.
            let wrong = answered.filter { $0.status != .created && $0.status != .conflict }
            #expect(wrong.isEmpty, "\(wrong)")

            let second = try ServerProcess(databaseURL: database.url)
            try await second.start()
            defer { second.terminate() }

            // Every order answered 201 is there, unchanged.
            for answer in answered where answer.status == .created {
                let id = try #require(APIResponse(status: .created, headers: [:], body: answer.body).json["id"].int)
                let stored = try #require(await second.send(.get, "/orders/\(id)"))
                #expect(stored.status == .ok)
                #expect(stored.json == APIResponse(status: .ok, headers: [:], body: answer.body).json)
            }

            // Stock adds up: initial = left + units in placed orders, and each ledger sums to the stock.
            var unitsOrdered: [Int64: Int64] = [:]
            var next: String? = "/orders?status=placed&limit=200"
            while let uri = next {
                let page = try #require(await second.send(.get, uri))
                for order in page.json.array {
                    for line in order["items"].array {
                        unitsOrdered[line["product_id"].int ?? 0, default: 0] += line["quantity"].int ?? 0
                    }
                }
                next = page.headers[HTTPField.Name("Link")!].flatMap { $0.split(separator: ">").first.map { String($0.dropFirst()) } }
            }
            for product in products {
                let stock = try #require(await second.send(.get, "/products/\(product)")?.json["quantity"].int)
                #expect(Self.initialStock == stock + unitsOrdered[product, default: 0])
                var ledger: Int64 = 0
                var movements: String? = "/products/\(product)/stock/movements?limit=200"
                while let uri = movements {
                    let page = try #require(await second.send(.get, uri))
                    ledger += page.json.array.compactMap(\.["delta"].int).reduce(0, +)
                    movements = page.headers[HTTPField.Name("Link")!].flatMap { $0.split(separator: ">").first.map { String($0.dropFirst()) } }
                }
                #expect(ledger == stock)
            }
        }
    }

    @Test(.enabled(if: TestDatabase.isServer, "runs on PostgreSQL or MySQL only: set DATABASE_URL=postgres://… or mysql://… (CI does)"))
    func twoInstancesOnOneDatabaseNeverOversell() async throws {
        try await withTestDatabase { database in
            let servers = [try ServerProcess(databaseURL: database.url), try ServerProcess(databaseURL: database.url)]
            // Both start at once: their migrations must not race.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for server in servers { group.addTask { try await server.start() } }
                try await group.waitForAll()
            }
            defer { for server in servers { server.terminate() } }
            let stock: Int64 = 30
            let (user, products) = try await seed(servers[0], products: 1, stock: stock)
            let product = try #require(products.first)

            let statuses = await withTaskGroup(of: HTTPResponse.Status?.self) { group in
                for index in 0..<80 {
                    group.addTask {
                        await servers[index % 2].send(.post, "/orders", body: #"{"user_id": \#(user), "product_ids": [\#(product)]}"#)?.status
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == Int(stock))
            #expect(statuses.filter { $0 == .conflict }.count == 80 - Int(stock))
            #expect(try #require(await servers[1].send(.get, "/products/\(product)")).json["quantity"].int == 0)
        }
    }

    @Test func SIGTERMStopsTheServerCleanly() async throws {
        try await withTestDatabase { database in
            let server = try ServerProcess(databaseURL: database.url)
            try await server.start()
            #expect(await server.send(.get, "/")?.status == .ok)
            #expect(await server.stop(signal: SIGTERM) == 0)
        }
    }

    /// A kept-alive connection with nothing owed is closed at shutdown, not after its idle timeout.
    @Test func SIGTERMClosesKeptAliveConnectionsAtOnce() async throws {
        try await withTestDatabase { database in
            let server = try ServerProcess(databaseURL: database.url, environment: ["HTTP_IDLE_TIMEOUT": "3600", "SHUTDOWN_TIMEOUT": "600"])
            try await server.start()
            let connection = try await RawConnection.open(port: server.port, sending: "GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
            let (answer, _) = await connection.read(until: { $0.contains("\r\n\r\n") }, timeout: .seconds(30))
            #expect(statusCode(of: answer) == 200, "\(answer)")
            server.terminate()
            // 60 s is passed only if the connection is left open (its idle timeout is an hour, and the
            // shutdown's ten minutes).
            let (_, closed) = await connection.readUntilClosed(timeout: .seconds(60))
            #expect(closed, "a kept-alive connection held up the shutdown")
            // Signal 0 sends nothing: waits for the exit, once the connection no longer holds it up.
            #expect(await server.stop(signal: closed ? 0 : SIGKILL) == 0)
        }
    }
}

private actor AnswerCount {
    private(set) var value = 0
    /// Requests that got no answer though the server had not been killed yet.
    private(set) var unansweredBeforeKill: [String] = []
    private var killing = false

    func increment() {
        value += 1
    }

    /// Called before the kill: from then on, a request may go unanswered.
    func startKilling() {
        killing = true
    }

    func noteUnanswered(worker: Int, round: Int) {
        if !killing { unansweredBeforeKill.append("worker \(worker), round \(round)") }
    }
}
