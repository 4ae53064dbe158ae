@testable import App
@testable import JSONSupport
import AsyncHTTPClient
import Foundation
import Testing

/// The dispatcher's rounds: a backlog is worked off batch after batch (a full batch says more is due,
/// so no poll interval passes between batches), and every outcome of a batch is recorded.
@Suite struct WebhookDispatcherTests {
    @Test func aFullBatchSaysMoreIsDueAndEveryOutcomeIsRecorded() async throws {
        try await WebhookReceiver.run { receiver, base in
            try await withTestDatabase { database in
                try await runMigrations(database.config, revert: false, all: false)
                try await database.config.database.withStore(logger: .init(label: "test")) { store in
                    var settings = WebhookSettings()
                    settings.allowInsecure = true
                    let shop = try await Shop(store: store, hasher: PasswordHasher(cost: 4), webhookSettings: settings)
                    let endpoint = try await shop.webhooks.create(.init(url: "\(base)/hooks", events: ["product.created"], description: nil))
                    let backlog = WebhookDispatcher.batchSize + 8
                    for index in 0..<backlog {
                        _ = try await shop.products.create(try ProductDraft(body: .object([
                            "name": .string("P\(index)"), "price": .number(1), "quantity": .number(50),
                        ])))
                    }
                    let dispatcher = WebhookDispatcher(store: store, client: .shared, settings: settings, currency: .standard,
                                                       now: Date.init, logger: .init(label: "test"), migrated: StartSignal())
                    #expect(try await dispatcher.round(), "a full batch: more is due at once")
                    #expect(try await !dispatcher.round(), "the rest")
                    #expect(try await receiver.waitFor(backlog).count == backlog)
                    let delivered = try await shop.webhooks.deliveries(endpointID: endpoint.id, status: .delivered, PageRequest(limit: 200))
                    #expect(delivered.items.count == backlog)
                }
            }
        }
    }
}
