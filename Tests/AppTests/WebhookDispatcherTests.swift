@testable import App
@testable import JSONSupport
import AsyncHTTPClient
import Foundation
import Testing

/// The dispatcher's rounds: a backlog is worked off batch after batch (a full batch says more is due,
/// so no poll interval passes between batches), and every outcome of a batch is recorded.
@Suite struct WebhookDispatcherTests {
    @Test func aFullBatchSaysMoreIsDueAndEveryOutcomeIsRecorded() async throws {
        try await withDispatcher { fixture in
            let shop = fixture.shop
            let endpoint = try await shop.webhooks.create(.init(url: "\(fixture.base)/hooks", events: ["product.created"], description: nil))
            let backlog = WebhookDispatcher.batchSize + 8
            for index in 0..<backlog {
                _ = try await shop.products.create(try ProductDraft(body: .object([
                    "name": .string("P\(index)"), "price": .number(1), "quantity": .number(50),
                ])))
            }
            #expect(try await fixture.dispatcher.round(), "a full batch: more is due at once")
            #expect(try await !fixture.dispatcher.round(), "the rest")
            #expect(try await fixture.receiver.waitFor(backlog).count == backlog)
            let delivered = try await shop.webhooks.deliveries(endpointID: endpoint.id, status: .delivered, PageRequest(limit: 200))
            #expect(delivered.items.count == backlog)
        }
    }

    /// With no endpoint enabled, events are marked done a thousand at a time without deliveries, and a
    /// test event among them (sent to a disabled endpoint) still gets its delivery.
    @Test func eventsNobodyCanReceiveAreMarkedInBulkAndATestEventStillGoesOut() async throws {
        try await withDispatcher { fixture in
            let (shop, store) = (fixture.shop, fixture.store)
            let endpoint = try await shop.webhooks.create(.init(url: "\(fixture.base)/hooks", events: ["*"], description: nil))
            _ = try await shop.webhooks.update(id: endpoint.id, .init(enabled: false))
            let record = { @Sendable (count: Int) in
                try await store.transaction { session in
                    try await session.recordDeferredEvents(
                        (0..<count).map { _ in (type: WebhookEventType.productCreated, subjectID: 1, quantityAfter: nil) }, at: Date()
                    )
                }
            }
            try await record(WebhookDispatcher.unreceivableBatchSize + 5)
            let testEventID = try await shop.webhooks.sendTest(id: endpoint.id)
            try await record(3)
            try await fixture.dispatcher.round()
            #expect(try await store.read { try await $0.eventsWaiting(limit: 10_000).count } == 0, "every event fanned out")
            let deliveries = try await shop.webhooks.deliveries(endpointID: endpoint.id, status: nil, PageRequest(limit: 200))
            #expect(deliveries.items.map(\.eventID) == [testEventID], "the test event alone has a delivery")
        }
    }

    private struct Fixture {
        let receiver: WebhookReceiver
        let base: String
        let store: any Store
        let shop: Shop
        let dispatcher: WebhookDispatcher
    }

    /// A migrated test database, a shop that may send to loopback, its dispatcher and a receiver.
    private func withDispatcher(_ body: @Sendable (Fixture) async throws -> Void) async throws {
        try await WebhookReceiver.run { receiver, base in
            try await withTestDatabase { database in
                try await runMigrations(database.config, revert: false, all: false)
                try await database.config.database.withStore(logger: .init(label: "test")) { store in
                    var settings = WebhookSettings()
                    settings.allowInsecure = true
                    let shop = try await Shop(store: store, hasher: PasswordHasher(cost: 4), webhookSettings: settings)
                    let dispatcher = WebhookDispatcher(store: store, client: .shared, settings: settings, currency: .standard,
                                                       now: Date.init, logger: .init(label: "test"), migrated: StartSignal())
                    try await body(Fixture(receiver: receiver, base: base, store: store, shop: shop, dispatcher: dispatcher))
                }
            }
        }
    }
}
