@testable import App
import Foundation
import Logging
import SQLKit
import Testing

/// The periodic job that deletes ended tokens and old login failures.
@Suite struct SignInCleanupTests {
    @Test func deletesEndedTokensAndOldFailuresInBatchesAndKeepsTheRest() async throws {
        try await withTestDatabase { database in
            try await runMigrations(database.config, revert: false, all: false)
            try await database.config.database.withStore(logger: Logger(label: "test")) { store in
                let shop = try await Shop(store: store, hasher: PasswordHasher(cost: 4))
                let user = try await shop.users.create(UserFields(name: "A", email: "a@example.com", phone: "5551234567"))
                let now = Date()
                let hourAgo = now.addingTimeInterval(-3600)
                try await store.transaction { session in
                    let account = try await session.insertAccount(username: "holder", passwordHash: "x", userID: user.id, at: hourAgo)
                    for index in 0..<5 {
                        try await session.insertToken(accountID: account.id, tokenHash: "live-\(index)", at: hourAgo,
                                                      expiresAt: now.addingTimeInterval(3600))
                        try await session.insertToken(accountID: account.id, tokenHash: "expired-\(index)", at: hourAgo,
                                                      expiresAt: now.addingTimeInterval(-60))
                        try await session.insertToken(accountID: account.id, tokenHash: "revoked-\(index)", at: hourAgo,
                                                      expiresAt: now.addingTimeInterval(3600))
                        _ = try await session.recordLoginFailure(usernameKey: "old-\(index)", at: now.addingTimeInterval(-AuthService.failureWindow - 60))
                        _ = try await session.recordLoginFailure(usernameKey: "recent-\(index)", at: now.addingTimeInterval(-60))
                    }
                    try await session.sql.raw("UPDATE auth_tokens SET revoked_at = \(bind: hourAgo) WHERE token_hash LIKE 'revoked-%'").run()
                }

                let cleanup = SignInRecordExpiry(store: store, now: { now }, batchSize: 3, batchesPerRun: 2)
                // Two batches of three per run: ten ended tokens need two runs.
                #expect(try await cleanup.expire() == 6 + 5)
                #expect(try await cleanup.expire() == 4)
                #expect(try await cleanup.expire() == 0)

                let (tokens, failures) = try await store.read { session in
                    (try await session.sql.raw("SELECT token_hash FROM auth_tokens ORDER BY token_hash").all().map { try $0.decode(column: "token_hash", as: String.self) },
                     try await session.sql.raw("SELECT username_key FROM login_failures ORDER BY username_key").all().map { try $0.decode(column: "username_key", as: String.self) })
                }
                #expect(tokens == (0..<5).map { "live-\($0)" })
                #expect(failures == (0..<5).map { "recent-\($0)" })
            }
        }
    }
}
