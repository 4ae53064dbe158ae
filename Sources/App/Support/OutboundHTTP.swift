import AsyncHTTPClient
import Logging
import ServiceLifecycle

/// The service's one HTTP client for calls out (Stripe), run in the service group so that it is shut
/// down after the server stops taking requests, never under a request still using it.
struct OutboundHTTP: Service {
    let client: HTTPClient

    init(logger: Logger) {
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: Self.configuration,
                            backgroundActivityLogger: logger)
    }

    /// No redirects: an API that answers a redirect is misconfigured, not to be followed with the key.
    static let configuration = HTTPClient.Configuration(
        redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10), read: .seconds(30))
    )

    func run() async throws {
        // Both a graceful shutdown and a cancellation end the wait; either way the client closes.
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
