import Synchronization

/// Whether a transaction made a change that can end a token: a token revoked or deleted, an account
/// or user deleted, anything that changes what `StoreSession.callers(tokenHashes:at:)` answers. The
/// session's methods that make such a change note it here themselves (`noteTokensEnded`), so no
/// caller can forget to; the store reads it once the transaction has committed and tells whoever
/// remembers callers (`Store.caller(tokenHash:at:)`). A transaction rolled back tells no one.
final class TokenEndings: Sendable {
    private let noted = Atomic(false)

    func note() {
        noted.store(true, ordering: .relaxed)
    }

    var anyNoted: Bool { noted.load(ordering: .relaxed) }
}

extension StoreSession {
    /// Called by every method of the session whose change can end a token, before it makes it.
    /// Outside a transaction of a store that remembers callers (`tokenEndings` nil) there is no one to tell.
    func noteTokensEnded() {
        tokenEndings?.note()
    }
}
