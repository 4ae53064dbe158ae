@testable import App
import Foundation
import Testing

@Suite struct CallerCacheTests {
    let caller = Caller(accountID: 1, userID: 2, role: .customer, tokenID: 3)
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aCallerIsRememberedUntilItsTokenExpiresOrItsLifetimeEnds() {
        let cache = CallerCache(lifetime: 60)
        cache.remember(caller, tokenHash: "soon", expiresAt: start + 10, readAt: start, changesBefore: cache.changesSoFar)
        cache.remember(caller, tokenHash: "later", expiresAt: start + 3600, readAt: start, changesBefore: cache.changesSoFar)
        #expect(cache.caller(tokenHash: "soon", at: start + 9) == caller)
        #expect(cache.caller(tokenHash: "soon", at: start + 10) == nil)
        #expect(cache.caller(tokenHash: "later", at: start + 59) == caller)
        #expect(cache.caller(tokenHash: "later", at: start + 60) == nil)
        #expect(cache.caller(tokenHash: "unknown", at: start) == nil)
    }

    @Test func aChangeForgetsEveryCaller() {
        let cache = CallerCache()
        cache.remember(caller, tokenHash: "token", expiresAt: start + 3600, readAt: start, changesBefore: cache.changesSoFar)
        cache.forgetAll()
        #expect(cache.caller(tokenHash: "token", at: start) == nil)
    }

    /// A lookup that read the database before a change committed may have read a token the change
    /// ended; storing it would let that token in until it expires.
    @Test func whatWasReadBeforeAChangeIsNotRemembered() {
        let cache = CallerCache()
        let changesBefore = cache.changesSoFar
        cache.forgetAll()
        cache.remember(caller, tokenHash: "token", expiresAt: start + 3600, readAt: start, changesBefore: changesBefore)
        #expect(cache.caller(tokenHash: "token", at: start) == nil)
    }

    @Test func aFullCacheStartsOver() {
        let cache = CallerCache(capacity: 2)
        for hash in ["a", "b", "c"] {
            cache.remember(caller, tokenHash: hash, expiresAt: start + 3600, readAt: start, changesBefore: cache.changesSoFar)
        }
        #expect(cache.caller(tokenHash: "a", at: start) == nil)
        #expect(cache.caller(tokenHash: "c", at: start) == caller)
    }
}
