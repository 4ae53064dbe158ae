import Foundation
import NIOConcurrencyHelpers

/// The callers of recently used tokens, for a database this process alone changes (SQLite), so an
/// authenticated request costs no query there. It stays exact: every change that can end a token
/// (logout, a new password, a deleted account or user) forgets everything once it has committed,
/// and a lookup that read the database before such a change cannot store what it read after it.
/// An entry also ends with its token, and after `lifetime` at most, which bounds how long a change
/// made outside the service (by hand, in the database file) goes unseen.
final class CallerCache: Sendable {
    private struct Entry {
        var caller: Caller
        var validUntil: Date
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Counts the changes forgotten, so a lookup knows whether one came while it read.
        var changes: UInt64 = 0
    }

    private let state = NIOLockedValueBox(State())
    private let lifetime: TimeInterval
    private let capacity: Int

    init(lifetime: TimeInterval = 60, capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The caller behind a token seen lately and still valid at `now`.
    func caller(tokenHash: String, at now: Date) -> Caller? {
        state.withLockedValue { state in
            guard let entry = state.entries[tokenHash] else { return nil }
            guard now < entry.validUntil else {
                state.entries[tokenHash] = nil
                return nil
            }
            return entry.caller
        }
    }

    /// Taken before reading the database, and handed back to `remember`.
    var changesSoFar: UInt64 { state.withLockedValue { $0.changes } }

    /// Keeps what a lookup read, unless a change committed since it took `changesSoFar`: what it read
    /// may predate that change.
    func remember(_ caller: Caller, tokenHash: String, expiresAt: Date, readAt now: Date, changesBefore: UInt64) {
        state.withLockedValue { state in
            guard state.changes == changesBefore else { return }
            // Full: start over rather than track ages; callers are one query away.
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[tokenHash] = Entry(caller: caller, validUntil: min(expiresAt, now.addingTimeInterval(lifetime)))
        }
    }

    /// Called once a change that may end tokens has committed.
    func forgetAll() {
        state.withLockedValue { state in
            state.changes &+= 1
            state.entries.removeAll()
        }
    }
}
