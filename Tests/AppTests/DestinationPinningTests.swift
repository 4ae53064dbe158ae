@testable import App
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Testing

/// Deliveries connect only to an address that was checked: the check's verdict names the address a
/// host name must be connected to, and the clients of a round connect the name to that address
/// whatever a second lookup would say (DNS rebinding).
@Suite struct DestinationPinningTests {
    @Test func aPinnedClientConnectsTheNameToTheCheckedAddressAlone() async throws {
        try await WebhookReceiver.run { receiver, base in
            let port = try #require(URLComponents(string: base)?.port)
            let pinned = PinnedClients(logger: Logger(label: "test"))
            // `.invalid` never resolves (RFC 6761): only the pin can lead anywhere.
            var request = HTTPClientRequest(url: "http://rebinding.invalid:\(port)/hooks")
            request.method = .POST
            request.body = .bytes(ByteBuffer(string: "{}"))
            let outcome: Result<HTTPClientResponse, any Error>
            do {
                outcome = .success(try await pinned.client(for: AddressPin(host: "rebinding.invalid", address: "127.0.0.1"))
                    .execute(request, timeout: .seconds(10)))
            } catch {
                outcome = .failure(error)
            }
            await pinned.shutdown()
            #expect(try outcome.get().status == .noContent)
            #expect(try await receiver.waitFor(1).first?.path == "/hooks")
        }
    }

    @Test func theVerdictPinsANameToAnAddressItChecked() async throws {
        let check = DestinationCheck(allowInsecure: false)
        guard case .allowed(let literal) = try await check.check("https://93.184.216.34/hooks") else {
            Issue.record("a public address is allowed")
            return
        }
        #expect(literal == nil, "an address in the URL is where the connection goes anyway")
        guard case .refused(let problem) = try await check.check("https://localhost/hooks") else {
            Issue.record("localhost is refused")
            return
        }
        #expect(problem.contains("not public"))
        guard case .allowed(let insecure) = try await DestinationCheck(allowInsecure: true).check("http://localhost:1/") else {
            Issue.record("allowed when insecure destinations are")
            return
        }
        #expect(insecure == nil)
    }
}
