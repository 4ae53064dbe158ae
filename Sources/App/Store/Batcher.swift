import NIOConcurrencyHelpers

/// Shares one database round trip among requests that arrive together. An item that arrives while
/// `maxRunning` runs are in flight waits for the next, which takes up to `maxItems` of those waiting
/// at once: a lone item goes at once, and under load one query (its round trip, its start in the
/// database, its commit) serves many. Items whose `keys` overlap are run one after another, first
/// come first: an item never runs before, nor beside, an earlier one sharing a key, so it sees what
/// that one changed.
final class Batcher<Item: Sendable, Outcome: Sendable>: Sendable {
    private struct Waiting {
        let item: Item
        let keys: Set<Int64>
        let deliver: @Sendable (Result<Outcome, any Error>) -> Void
    }

    private struct State {
        var waiting: [Waiting] = []
        var running = 0
        /// The keys of the items in runs under way.
        var inFlight: Set<Int64> = []
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
        try await submit([item])[0].get()
    }

    /// Submits the items together, in their order: one sharing a key with an earlier one runs after it.
    func submit(_ items: [Item]) async -> [Result<Outcome, any Error>] {
        guard !items.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            let outcomes = Outcomes(count: items.count, continuation)
            let waiting = items.enumerated().map { index, item in
                Waiting(item: item, keys: keys(item), deliver: { outcomes.deliver($0, at: index) })
            }
            let runsToStart = state.withLockedValue { state in
                state.waiting += waiting
                let starting = min(maxRunning - state.running, waiting.count)
                state.running += max(starting, 0)
                return starting
            }
            for _ in 0..<max(runsToStart, 0) { Task { await self.runWhileWaiting() } }
        }
    }

    /// How many items wait for a run to take them.
    var waitingCount: Int { state.withLockedValue { $0.waiting.count } }

    private func runWhileWaiting() async {
        var finished: [Waiting] = []
        while let batch = nextBatch(after: finished) {
            do {
                let outcomes = try await run(batch.map(\.item))
                for (waiting, outcome) in zip(batch, outcomes) { waiting.deliver(.success(outcome)) }
            } catch {
                for waiting in batch { waiting.deliver(.failure(error)) }
            }
            finished = batch
        }
    }

    /// Up to `maxItems` of the waiting items, first come first, none sharing a key with an item
    /// before it that waits or runs; nil, and one run fewer, when none can go now (a run under way
    /// takes the rest when it ends). `finished` is this run's previous batch, whose keys it releases.
    private func nextBatch(after finished: [Waiting]) -> [Waiting]? {
        state.withLockedValue { state in
            for waiting in finished { state.inFlight.subtract(waiting.keys) }
            var batch: [Waiting] = []
            var later: [Waiting] = []
            var taken = state.inFlight
            for waiting in state.waiting {
                if batch.count < maxItems && taken.isDisjoint(with: waiting.keys) {
                    batch.append(waiting)
                } else {
                    later.append(waiting)
                }
                taken.formUnion(waiting.keys)
            }
            state.waiting = later
            guard !batch.isEmpty else {
                state.running -= 1
                return nil
            }
            for waiting in batch { state.inFlight.formUnion(waiting.keys) }
            return batch
        }
    }
}

/// The outcomes of items submitted together, handed back once the last has one.
private final class Outcomes<Outcome: Sendable>: Sendable {
    private let results: NIOLockedValueBox<[Result<Outcome, any Error>?]>
    private let continuation: CheckedContinuation<[Result<Outcome, any Error>], Never>

    init(count: Int, _ continuation: CheckedContinuation<[Result<Outcome, any Error>], Never>) {
        results = NIOLockedValueBox(Array(repeating: nil, count: count))
        self.continuation = continuation
    }

    func deliver(_ result: Result<Outcome, any Error>, at index: Int) {
        let complete: [Result<Outcome, any Error>]? = results.withLockedValue { results in
            results[index] = result
            let delivered = results.compactMap { $0 }
            return delivered.count == results.count ? delivered : nil
        }
        if let complete { continuation.resume(returning: complete) }
    }
}
