@testable import App
import NIOConcurrencyHelpers
import Testing
import TestSupport

/// How `Batcher` groups the items that wait while a run is in flight.
@Suite struct BatcherTests {
    private struct Refused: Error {}

    /// Items arriving while the only run is busy wait, and the next run takes them together, up to
    /// its limit and first come first; one sharing a key with an earlier one goes in a later run.
    @Test func waitingItemsAreTakenTogetherAndKeysKeepThemApart() async throws {
        let runs = NIOLockedValueBox<[[Int]]>([])
        let (release, releaseFirstRun) = AsyncStream<Void>.makeStream()
        let batcher = Batcher<Int, Int>(maxItems: 3, maxRunning: 1, keys: { [Int64($0 % 10)] }) { items in
            runs.withLockedValue { $0.append(items) }
            if items == [0] { for await _ in release { break } }
            return items.map { $0 * 2 }
        }
        let first = Task { try await batcher.submit(0) }
        try await eventually("the first run to start") { runs.withLockedValue(\.count) == 1 }
        var waiting: [Task<Int, any Error>] = []
        for item in [1, 2, 11, 3, 4] {
            waiting.append(Task { try await batcher.submit(item) })
            try await eventually("item \(item) to wait") { batcher.waitingCount == waiting.count }
        }
        releaseFirstRun.yield()

        #expect(try await first.value == 0)
        var outcomes: [Int] = []
        for task in waiting { outcomes.append(try await task.value) }
        #expect(outcomes == [2, 4, 22, 6, 8])
        #expect(runs.withLockedValue { $0 } == [[0], [1, 2, 3], [11, 4]])
    }

    /// Items submitted together keep their order where they share keys, even when a later one could
    /// join an earlier run or a second run is free: 20 shares no key with 10 but waits behind 12.
    @Test func anItemNeverRunsBeforeOrBesideAnEarlierOneSharingAKey() async throws {
        let keys: [Int: Set<Int64>] = [10: [1], 12: [1, 2], 20: [2], 30: [3]]
        let runs = NIOLockedValueBox<[[Int]]>([])
        let batcher = Batcher<Int, Int>(maxItems: 8, maxRunning: 2, keys: { keys[$0] ?? [] }) { items in
            runs.withLockedValue { $0.append(items) }
            return items
        }
        let outcomes = await batcher.submit([10, 12, 20, 30])

        #expect(try outcomes.map { try $0.get() } == [10, 12, 20, 30])
        #expect(runs.withLockedValue { $0 } == [[10, 30], [12], [20]])
    }

    @Test func aRunThatThrowsFailsEachOfItsItems() async throws {
        let batcher = Batcher<Int, Int>(maxItems: 8, maxRunning: 1) { items in
            guard !items.contains(5) else { throw Refused() }
            return items
        }
        await #expect(throws: Refused.self) { try await batcher.submit(5) }
        #expect(try await batcher.submit(6) == 6, "the batcher goes on after a failed run")
    }
}
