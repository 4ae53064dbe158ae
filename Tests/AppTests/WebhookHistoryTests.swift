@testable import App
@testable import JSONSupport
import AsyncHTTPClient
import Foundation
import Testing

/// The outbox stays small: events no endpoint wanted go a day after they were fanned out.
@Suite struct WebhookHistoryTests {
    @Test func eventsNoEndpointWantedAreForgottenAfterADay() async throws {
        try await withTestDatabase { database in
            try await runMigrations(database.config, revert: false, all: false)
            try await database.config.database.withStore(logger: .init(label: "test")) { store in
                let shop = try await Shop(store: store, hasher: PasswordHasher(cost: 4))
                _ = try await shop.products.create(try ProductDraft(body: .object([
                    "name": .string("P"), "price": .number(1), "quantity": .number(5),
                ])))
                #expect(try await store.read { try await $0.webhookEventCount() } == 1, "product.created is in the outbox")
                // The dispatcher fans it out to nobody.
                let dispatcher = WebhookDispatcher(store: store, client: .shared, settings: WebhookSettings(), currency: .standard,
                                                   now: Date.init, logger: .init(label: "test"), migrated: StartSignal())
                try await dispatcher.round()
                try await WebhookHistoryExpiry(store: store, now: { Date().addingTimeInterval(3600) }).expire()
                #expect(try await store.read { try await $0.webhookEventCount() } == 1, "kept within the day")
                try await WebhookHistoryExpiry(store: store, now: { Date().addingTimeInterval(86_400 + 60) }).expire()
                #expect(try await store.read { try await $0.webhookEventCount() } == 0)
            }
        }
    }
}
