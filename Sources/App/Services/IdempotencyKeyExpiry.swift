import Foundation
import ServiceLifecycle

/// Forgets idempotency keys once they are older than their retention, hourly, so the table stays
/// small. Any instance may do it; doing it twice is harmless.
struct IdempotencyKeyExpiry: Service {
    let store: any Store
    let now: @Sendable () -> Date
    var interval: Duration = .seconds(3600)

    /// Ends quietly at shutdown: a cancelled sleep is not a failure of the service.
    func run() async {
        await cancelWhenGracefulShutdown {
            // Sleeping first also leaves start-up to the migrations.
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                try? await expire()
            }
        }
    }

    func expire() async throws {
        let cutoff = now().addingTimeInterval(-TimeInterval(IdempotencyKey.retention.components.seconds))
        try await store.transaction { try await $0.deleteIdempotencyRecords(before: cutoff) }
    }
}
