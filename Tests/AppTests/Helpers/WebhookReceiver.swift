import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TestSupport

/// A webhook receiver on loopback: records every delivery (headers and body as received) and
/// answers with the statuses it is given, then 204.
actor WebhookReceiver {
    struct Delivery: Sendable {
        var path: String
        var headers: HTTPFields
        var body: String

        func header(_ name: String) -> String? { headers[HTTPField.Name(name)!] }
    }

    private(set) var deliveries: [Delivery] = []
    private var answers: [HTTPResponse.Status] = []

    /// The next deliveries get these statuses, in order; afterwards 204.
    func answer(_ statuses: [HTTPResponse.Status]) { answers = statuses }

    func received(_ delivery: Delivery) -> HTTPResponse.Status {
        deliveries.append(delivery)
        return answers.isEmpty ? .noContent : answers.removeFirst()
    }

    /// Waits until `count` deliveries arrived; returns them.
    nonisolated func waitFor(_ count: Int) async throws -> [Delivery] {
        try await eventually("\(count) webhook deliveries") { await self.deliveries.count >= count }
        return await deliveries
    }

    /// Runs `body` with the receiver listening; its argument is the base address (`http://127.0.0.1:PORT`).
    static func run(_ body: @Sendable (WebhookReceiver, String) async throws -> Void) async throws {
        let receiver = WebhookReceiver()
        let router = Router()
        router.post("/**") { request, _ -> Response in
            var request = request
            let bytes = try await request.collectBody(upTo: 1 << 20)
            let status = await receiver.received(Delivery(path: request.uri.path, headers: request.headers, body: String(buffer: bytes)))
            return Response(status: status)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            try await body(receiver, "http://127.0.0.1:\(try #require(client.port))")
        }
    }
}
