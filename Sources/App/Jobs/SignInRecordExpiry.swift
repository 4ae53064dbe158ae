import Foundation
import ServiceLifecycle

/// Deletes tokens that expired or were revoked, and login failures older than their window, every
/// few minutes, so neither table grows with traffic. A run deletes at most `batchesPerRun` batches
/// of `batchSize` rows per table, each batch its own short transaction, so a backlog never holds
/// the database for long; the next run goes on. Any instance may do it; doing it twice is harmless.
struct SignInRecordExpiry: Service {
    let store: any Store
    let now: @Sendable () -> Date
    var interval: Duration = .seconds(300)
    var batchSize = 500
    var batchesPerRun = 20

    func run() async {
        await periodically(every: interval) { try await expire() }
    }

    /// One run; returns how many rows it deleted.
    @discardableResult
    func expire() async throws -> Int {
        let time = now()
        let failuresBefore = time.addingTimeInterval(-AuthService.failureWindow)
        var deleted = 0
        for delete in [
            { @Sendable (session: StoreSession) in try await session.deleteEndedTokens(at: time, limit: batchSize) },
            { @Sendable (session: StoreSession) in try await session.deleteLoginFailures(before: failuresBefore, limit: batchSize) },
        ] {
            for _ in 0..<batchesPerRun {
                let count = try await store.transaction(delete)
                deleted += count
                if count < batchSize { break }
            }
        }
        return deleted
    }
}
