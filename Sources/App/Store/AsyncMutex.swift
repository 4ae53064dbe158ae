import NIOConcurrencyHelpers

/// A first-come, first-served lock for async code: one holder at a time, waiters suspend instead of
/// blocking a thread. Guards SQLite's single writer connection.
final class AsyncMutex: Sendable {
    private struct State {
        var locked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var head = 0
    }

    private let state = NIOLockedValueBox(State())

    func withLock<T>(_ body: () async throws -> T) async rethrows -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    /// Whether anyone is queued for the lock (meaningful to its holder: nobody else releases it).
    var hasWaiters: Bool {
        state.withLockedValue { $0.head < $0.waiters.count }
    }

    private func acquire() async {
        await withCheckedContinuation { continuation in
            let acquired = state.withLockedValue { state in
                if state.locked {
                    state.waiters.append(continuation)
                    return false
                }
                state.locked = true
                return true
            }
            if acquired { continuation.resume() }
        }
    }

    /// Hands the lock straight to the next waiter, so it never looks free while someone waits.
    private func release() {
        let next = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard state.head < state.waiters.count else {
                state.locked = false
                state.waiters.removeAll(keepingCapacity: true)
                state.head = 0
                return nil
            }
            defer { state.head += 1 }
            return state.waiters[state.head]
        }
        next?.resume()
    }
}
