import Foundation
import HTTPTypes
import Testing
import TestSupport

/// Metrics are process-wide, so each test reads them from a server process of its own: exact counts.
@Suite struct MetricsTests {
    /// The value of the sample whose line starts with `name{` and contains every label given.
    func sample(_ metrics: String, _ name: String, _ labels: [String] = []) -> Double {
        metrics.split(separator: "\n")
            .filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .filter { line in labels.allSatisfy { line.contains($0) } }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0, +)
    }

    @Test func requestsAreCountedAndTimedByRoutePatternAndStatus() async throws {
        try await withTestDatabase { database in
            let server = try ServerProcess(databaseURL: database.url)
            try await server.start()
            defer { server.terminate() }
            for id in 1...40 {
                _ = await server.send(.get, "/products/\(id)")
            }
            _ = await server.send(.get, "/health")
            let metrics = try #require(await server.send(.get, "/metrics"))
            #expect(metrics.status == .ok)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = metrics.body

            let productLabels = [#"http_route="/products/{id}""#, #"http_request_method="GET""#, #"http_response_status_code="404""#]
            #expect(sample(text, "hb_requests", productLabels) == 40)
            #expect(sample(text, "http_server_request_duration_count", productLabels) == 40)
            #expect(text.contains("http_server_request_duration_bucket{"))
            #expect(sample(text, "hb_requests", [#"http_route="/health""#, #"http_response_status_code="200""#]) == 1)
            // One label set for all forty ids: the raw path never becomes a label.
            #expect(!text.contains(#"http_route="/products/1""#))
            #expect(text.split(separator: "\n").filter { $0.hasPrefix("hb_requests{") && $0.contains("/products") }.count == 1)
        }
    }

    @Test func businessEventsAreCounted() async throws {
        try await withTestDatabase { database in
            let server = try ServerProcess(databaseURL: database.url)
            try await server.start()
            defer { server.terminate() }
            let user = try #require(await server.send(.post, "/users", body: #"{"name": "M", "email": "m@example.com", "phone": "5551234567"}"#)?.json["id"].int)
            let product = try #require(await server.send(.post, "/products", body: #"{"name": "P", "price": 1, "quantity": 3}"#)?.json["id"].int)
            let order = #"{"user_id": \#(user), "product_ids": [\#(product)]}"#
            var placed: [Int64] = []
            for _ in 0..<5 {
                if let response = await server.send(.post, "/orders", body: order), response.status == .created {
                    placed.append(try #require(response.json["id"].int))
                }
            }
            #expect(placed.count == 3)
            #expect(await server.send(.delete, "/orders/\(placed[0])")?.status == .ok)

            let text = try #require(await server.send(.get, "/metrics")).body
            #expect(sample(text, "ecommerce_orders_placed") == 3)
            #expect(sample(text, "ecommerce_orders_refused_out_of_stock") == 2)
            #expect(sample(text, "ecommerce_orders_cancelled") == 1)
        }
    }

    @Test func aMetricsTokenGuardsTheRoute() async throws {
        try await withTestDatabase { database in
            let server = try ServerProcess(databaseURL: database.url, environment: ["METRICS_TOKEN": "scrape-secret"])
            try await server.start()
            defer { server.terminate() }
            #expect(await server.send(.get, "/metrics")?.status == .unauthorized)
            #expect(await server.send(.get, "/metrics", headers: [.authorization: "Bearer wrong"])?.status == .unauthorized)
            let allowed = await server.send(.get, "/metrics", headers: [.authorization: "Bearer scrape-secret"])
            #expect(allowed?.status == .ok)
        }
    }

    @Test func aMetricsPortServesMetricsApartFromTheAPI() async throws {
        try await withTestDatabase { database in
            let metricsPort = try freePort()
            let server = try ServerProcess(databaseURL: database.url, environment: ["METRICS_PORT": "\(metricsPort)"])
            try await server.start()
            defer { server.terminate() }
            #expect(await server.send(.get, "/metrics")?.status == .notFound)
            // The metrics server starts beside the API's, perhaps a moment after it.
            var metrics: APIResponse?
            try await eventually("the metrics server to answer on port \(metricsPort)") {
                metrics = await server.send(.get, "/metrics", port: metricsPort)
                return metrics != nil
            }
            #expect(metrics?.status == .ok)
            #expect(metrics?.body.contains("# TYPE ") == true, "not Prometheus text: \(metrics?.body ?? "")")
        }
    }
}

extension MetricsTests {
    /// An order is read with its lines in two statements however many lines it has, plus one to
    /// authenticate the caller where the caller is not remembered (a shared database server); a page
    /// of orders likewise.
    @Test func ordersAreReadInTwoQueriesWhateverTheirLines() async throws {
        try await withUserAndFiveProducts { server, user, products, statements in
            let ids = products.map(String.init).joined(separator: ",")
            let order = try #require(await server.send(.post, "/orders", body: #"{"user_id": \#(user), "product_ids": [\#(ids)]}"#)?.json["id"].int)
            _ = await server.send(.post, "/orders", body: #"{"user_id": \#(user), "product_ids": [\#(products[0])]}"#)

            let authentication: Double = TestDatabase.isServer ? 1 : 0
            let before = try await statements()
            #expect(await server.send(.get, "/orders/\(order)")?.json["items"].array.count == 5)
            let afterOne = try await statements()
            #expect(afterOne - before == 2 + authentication)
            #expect(await server.send(.get, "/orders")?.json.array.count == 2)
            #expect(try await statements() - afterOne == 2 + authentication)
        }
    }

    /// On PostgreSQL an order, however many lines, is placed by one statement (plus the caller's
    /// authentication); elsewhere by one per line and three more.
    @Test func anOrderIsPlacedByOneStatementOnPostgreSQL() async throws {
        try await withUserAndFiveProducts { server, user, products, statements in
            let before = try await statements()
            let ids = products.map(String.init).joined(separator: ",")
            #expect(await server.send(.post, "/orders", body: #"{"user_id": \#(user), "product_ids": [\#(ids)]}"#)?.status == .created)
            let made = try await statements() - before
            if TestDatabase.isPostgres {
                #expect(made == 2)
            } else {
                #expect(made >= 8, "five stock moves, the order, its lines, the ledger")
            }
        }
    }

    /// A server with a user and five products in stock, and a reading of its statement counter (the
    /// webhook dispatcher of a test server polls too seldom to count here).
    private func withUserAndFiveProducts(
        _ body: (ServerProcess, Int64, [Int64], () async throws -> Double) async throws -> Void
    ) async throws {
        try await withTestDatabase { database in
            let server = try ServerProcess(databaseURL: database.url)
            try await server.start()
            defer { server.terminate() }
            let user = try #require(await server.send(.post, "/users", body: #"{"name": "Q", "email": "q@example.com", "phone": "5551234567"}"#)?.json["id"].int)
            var products: [Int64] = []
            for index in 0..<5 {
                products.append(try #require(await server.send(.post, "/products", body: #"{"name": "P\#(index)", "price": 1, "quantity": 9}"#)?.json["id"].int))
            }
            try await body(server, user, products) {
                sample(try #require(await server.send(.get, "/metrics", authenticated: false)).body, "ecommerce_db_statements")
            }
        }
    }
}
