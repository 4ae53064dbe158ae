import Foundation
import ServiceLifecycle

/// Keeps the outbox small, hourly: finished deliveries (delivered or failed) go after 30 days, and
/// events once fanned out with no delivery left — at once a day later for events no endpoint wanted
/// (every order writes one, subscribed to or not). Any instance may do it; twice is harmless.
struct WebhookHistoryExpiry: Service {
    let store: any Store
    let now: @Sendable () -> Date
    var interval: Duration = .seconds(3600)
    static let deliveryRetention: TimeInterval = 30 * 86_400
    static let eventRetention: TimeInterval = 86_400

    func run() async {
        await periodically(every: interval) { try await expire() }
    }

    func expire() async throws {
        let time = now()
        try await store.transaction { session in
            try await session.deleteWebhookHistory(deliveriesBefore: time.addingTimeInterval(-Self.deliveryRetention),
                                                   eventsBefore: time.addingTimeInterval(-Self.eventRetention))
        }
    }
}
