import NIOConcurrencyHelpers
import Testing

/// Waits, a few milliseconds at a time, until `condition` holds. Throws `WaitTimedOut`, naming what
/// it waited for and where, once `limit` has passed: the conditions waited on here hold within
/// milliseconds, so the default minute is passed only by a real hang, even on a loaded machine.
public func eventually(
    _ what: String = "a condition", within limit: Duration = .seconds(60),
    sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + limit
    while try await !condition() {
        guard ContinuousClock.now < deadline else { throw WaitTimedOut(what: what, limit: limit, at: sourceLocation) }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// A wait that passed its deadline: what it waited for, how long, and where.
public struct WaitTimedOut: Error, CustomStringConvertible {
    public let what: String
    public let limit: Duration
    public let at: SourceLocation

    public var description: String { "waited \(limit) for \(what) at \(at), in vain" }
}

/// Runs `work` apart and waits at most `limit` for its outcome: work that never answers (a
/// continuation never resumed ignores cancellation, and a time limit alone would wait on it for
/// ever) fails with `WaitTimedOut` naming `what`, and is left behind.
public func answer<T: Sendable>(
    of what: String, within limit: Duration = .seconds(60), sourceLocation: SourceLocation = #_sourceLocation,
    _ work: @escaping @Sendable () async throws -> T
) async throws -> T {
    let outcome = NIOLockedValueBox<Result<T, any Error>?>(nil)
    Task {
        let result: Result<T, any Error>
        do { result = .success(try await work()) } catch { result = .failure(error) }
        outcome.withLockedValue { $0 = result }
    }
    try await eventually("an answer to \(what)", within: limit, sourceLocation: sourceLocation) { outcome.withLockedValue { $0 != nil } }
    guard let result = outcome.withLockedValue({ $0 }) else { throw WaitTimedOut(what: what, limit: limit, at: sourceLocation) }
    return try result.get()
}
