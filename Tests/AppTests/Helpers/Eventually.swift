import Testing

/// Waits, a few milliseconds at a time, until `condition` holds. Throws `WaitTimedOut`, naming what
/// it waited for and where, once `limit` has passed: the conditions waited on here hold within
/// milliseconds, so the default minute is passed only by a real hang, even on a loaded machine.
func eventually(
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
struct WaitTimedOut: Error, CustomStringConvertible {
    let what: String
    let limit: Duration
    let at: SourceLocation

    var description: String { "waited \(limit) for \(what) at \(at), in vain" }
}
