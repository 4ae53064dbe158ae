import AsyncHTTPClient
import Logging
import NIOConcurrencyHelpers

/// Clients that connect a host name only to the address that was checked for it, through
/// async-http-client's DNS override: a name that resolved to a public address for the check cannot
/// resolve to an inside one for the connection (DNS rebinding). One client per pin for one round of
/// deliveries, so connections are kept alive within the round; all are shut down after it.
final class PinnedClients: Sendable {
    private let clients = NIOLockedValueBox<[AddressPin: HTTPClient]>([:])
    private let logger: Logger

    init(logger: Logger) {
        self.logger = logger
    }

    func client(for pin: AddressPin) -> HTTPClient {
        clients.withLockedValue { clients in
            if let client = clients[pin] { return client }
            var configuration = OutboundHTTP.configuration
            configuration.dnsOverride = [pin.host: pin.address]
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration,
                                    backgroundActivityLogger: logger)
            clients[pin] = client
            return client
        }
    }

    /// Closes every client; called once the round's attempts are over.
    func shutdown() async {
        for client in clients.withLockedValue({ clients in defer { clients = [:] }; return Array(clients.values) }) {
            do {
                try await client.shutdown()
            } catch {
                logger.warning("A webhook client did not shut down cleanly: \(error)")
            }
        }
    }
}
