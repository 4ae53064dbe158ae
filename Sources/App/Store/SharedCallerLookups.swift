import Foundation

/// The callers behind tokens, for a database that other instances share (PostgreSQL, MySQL): nothing
/// read can be remembered, since another instance may end a token unseen, so every lookup reads
/// the tokens as they are; lookups arriving together share one query.
struct SharedCallerLookups: Sendable {
    typealias Read = @Sendable (_ tokenHashes: Set<String>, _ now: Date) async throws -> [String: (caller: Caller, expiresAt: Date)]

    private let lookups: Batcher<(tokenHash: String, now: Date), Caller?>

    /// `read` is `StoreSession.callers(tokenHashes:at:)` on one of the store's connections.
    init(read: @escaping Read) {
        lookups = Batcher(maxItems: 32, maxRunning: 2) { lookups in
            // Read at the earliest time asked, so that every lookup's live tokens are among those
            // read; each keeps its token only if still live at its own time.
            let earliest = lookups.lazy.map(\.now).min() ?? Date()
            let found = try await read(Set(lookups.map(\.tokenHash)), earliest)
            return lookups.map { lookup in
                found[lookup.tokenHash].flatMap { $0.expiresAt > lookup.now ? $0.caller : nil }
            }
        }
    }

    func caller(tokenHash: String, at now: Date) async throws -> Caller? {
        try await lookups.submit((tokenHash, now))
    }
}
