import Foundation
import NIOConcurrencyHelpers

/// The callers of recently used tokens, for a database no other server changes (SQLite), so an
/// authenticated request costs no query there. It stays exact: every transaction that ended a token
/// (logout, a new password, a deleted account or user: see `TokenEndings`) makes the store forget
/// everything once it has committed, and a lookup that read the database before such a change
/// cannot store what it read after it.
/// Changes committed by other processes (`ecommerce reset-password`) reach it through `changes`,
/// which every process signals after such a change and which is read before anything remembered
/// is used. An entry also ends with its token, and after `lifetime` at most, which bounds how long
/// a change made outside the service (by hand, in the database file) goes unseen.
final class CallerCache: Sendable {
    private struct Entry {
        var caller: Caller
        var validUntil: Date
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Counts the changes forgotten, so a lookup knows whether one came while it read.
        var changes: UInt64 = 0
        /// What the processes' signal (`TokenChangeSignal`) said when last read.
        var signalled: UInt64 = 0

        /// Forgets everything if another process signalled a change since the last look.
        mutating func catchUp(with signalled: UInt64?) {
            guard let signalled, signalled != self.signalled else { return }
            self.signalled = signalled
            changes &+= 1
            entries.removeAll()
        }
    }

    private let state = NIOLockedValueBox(State())
    private let lifetime: TimeInterval
    private let capacity: Int
    /// Nil where no other process can change the database (in memory).
    private let changes: TokenChangeSignal?

    init(lifetime: TimeInterval = 60, capacity: Int = 10_000, changes: TokenChangeSignal? = nil) {
        self.lifetime = lifetime
        self.capacity = capacity
        self.changes = changes
        state.withLockedValue { $0.signalled = changes?.current ?? 0 }
    }

    /// The caller behind a token seen lately and still valid at `now`.
    func caller(tokenHash: String, at now: Date) -> Caller? {
        let signalled = changes?.current
        return state.withLockedValue { state in
            state.catchUp(with: signalled)
            guard let entry = state.entries[tokenHash] else { return nil }
            guard now < entry.validUntil else {
                state.entries[tokenHash] = nil
                return nil
            }
            return entry.caller
        }
    }

    /// The caller behind the token: remembered, or found by `lookUp` (a read of the database) and
    /// remembered unless a change committed meanwhile.
    func caller(
        tokenHash: String, at now: Date, lookUp: () async throws -> (caller: Caller, expiresAt: Date)?
    ) async throws -> Caller? {
        if let caller = caller(tokenHash: tokenHash, at: now) { return caller }
        let changesBefore = changesSoFar
        guard let found = try await lookUp() else { return nil }
        remember(found.caller, tokenHash: tokenHash, expiresAt: found.expiresAt, readAt: now, changesBefore: changesBefore)
        return found.caller
    }

    /// Taken before reading the database, and handed back to `remember`.
    var changesSoFar: UInt64 {
        let signalled = changes?.current
        return state.withLockedValue { state in
            state.catchUp(with: signalled)
            return state.changes
        }
    }

    /// Keeps what a lookup read, unless a change committed since it took `changesSoFar`: what it read
    /// may predate that change.
    func remember(_ caller: Caller, tokenHash: String, expiresAt: Date, readAt now: Date, changesBefore: UInt64) {
        let signalled = changes?.current
        state.withLockedValue { state in
            state.catchUp(with: signalled)
            guard state.changes == changesBefore else { return }
            // Full: start over rather than track ages; callers are one query away.
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[tokenHash] = Entry(caller: caller, validUntil: min(expiresAt, now.addingTimeInterval(lifetime)))
        }
    }

    /// Called by the store once a transaction that ended tokens has committed; tells the other processes too.
    func forgetAll() {
        let signalled = changes?.signal()
        state.withLockedValue { state in
            state.changes &+= 1
            state.entries.removeAll()
            if let signalled { state.signalled = signalled }
        }
    }
}
