import NIOConcurrencyHelpers

/// Shares one database round trip among requests that arrive together. An item that arrives while
/// `maxRunning` runs are in flight waits for the next, which takes up to `maxItems` of those waiting
/// at once: a lone item goes at once, and under load one query (its round trip, its start in the
/// database, its commit) serves many. Items whose `keys` overlap go in different runs, first come
/// first: each then sees what the earlier one changed.
final class Batcher<Item: Sendable, Outcome: Sendable>: Sendable {
    private struct Waiting {
        let item: Item
        let keys: Set<Int64>
        let continuation: CheckedContinuation<Outcome, any Error>
    }

    private struct State {
        var waiting: [Waiting] = []
        var running = 0
    }

    private let maxItems: Int
    private let maxRunning: Int
    private let keys: @Sendable (Item) -> Set<Int64>
    private let run: @Sendable ([Item]) async throws -> [Outcome]
    private let state = NIOLockedValueBox(State())

    /// `run` returns one outcome per item, in their order; when it throws, every item of the run
    /// gets the error.
    init(
        maxItems: Int, maxRunning: Int, keys: @escaping @Sendable (Item) -> Set<Int64> = { _ in [] },
        run: @escaping @Sendable ([Item]) async throws -> [Outcome]
    ) {
        self.maxItems = maxItems
        self.maxRunning = maxRunning
        self.keys = keys
        self.run = run
    }

    func submit(_ item: Item) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            let waiting = Waiting(item: item, keys: keys(item), continuation: continuation)
            let startsRunning = state.withLockedValue { state in
                state.waiting.append(waiting)
                guard state.running < maxRunning else { return false }
                state.running += 1
                return true
            }
            if startsRunning { Task { await self.runWhileWaiting() } }
        }
    }

    /// How many items wait for a run to take them.
    var waitingCount: Int { state.withLockedValue { $0.waiting.count } }

    private func runWhileWaiting() async {
        while let batch = nextBatch() {
            do {
                let outcomes = try await run(batch.map(\.item))
                for (waiting, outcome) in zip(batch, outcomes) { waiting.continuation.resume(returning: outcome) }
            } catch {
                for waiting in batch { waiting.continuation.resume(throwing: error) }
            }
        }
    }

    /// Up to `maxItems` of the waiting items, first come first, no two sharing a key; nil, and one
    /// run fewer, when none wait.
    private func nextBatch() -> [Waiting]? {
        state.withLockedValue { state in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            var batch: [Waiting] = []
            var later: [Waiting] = []
            var keys: Set<Int64> = []
            for waiting in state.waiting {
                if batch.count < maxItems && keys.isDisjoint(with: waiting.keys) {
                    batch.append(waiting)
                    keys.formUnion(waiting.keys)
                } else {
                    later.append(waiting)
                }
            }
            state.waiting = later
            return batch
        }
    }
}
