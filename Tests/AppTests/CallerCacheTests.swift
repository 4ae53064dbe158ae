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

    /// Two caches on one database file stand for two processes: a change committed by one (e.g.
    /// `ecommerce reset-password`) makes the other forget, including a lookup it had under way.
    @Test func aChangeSignalledByAnotherProcessForgetsEveryCaller() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("callers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = folder.appendingPathComponent("shop.sqlite").path
        let server = CallerCache(changes: try TokenChangeSignal(databasePath: database))
        let command = CallerCache(changes: try TokenChangeSignal(databasePath: database))
        server.remember(caller, tokenHash: "token", expiresAt: start + 3600, readAt: start, changesBefore: server.changesSoFar)
        let underWay = server.changesSoFar
        #expect(server.caller(tokenHash: "token", at: start) == caller)

        command.forgetAll()
        #expect(server.caller(tokenHash: "token", at: start) == nil)
        server.remember(caller, tokenHash: "read-before", expiresAt: start + 3600, readAt: start, changesBefore: underWay)
        #expect(server.caller(tokenHash: "read-before", at: start) == nil)
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
