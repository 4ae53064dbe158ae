import Foundation
import ServiceLifecycle

/// Forgets idempotency keys once they are older than their retention, hourly, so the table stays
/// small. Any instance may do it; doing it twice is harmless.
struct IdempotencyKeyExpiry: Service {
    let store: any Store
    let now: @Sendable () -> Date
    var interval: Duration = .seconds(3600)

    func run() async {
        await periodically(every: interval) { try await expire() }
    }

    func expire() async throws {
        let cutoff = now().addingTimeInterval(-TimeInterval(IdempotencyKey.retention.components.seconds))
        try await store.transaction { try await $0.deleteIdempotencyRecords(before: cutoff) }
    }
}
