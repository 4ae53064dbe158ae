import Foundation

/// How a request names an account: by its own id, or through its user (`/users/{id}/account`).
enum AccountReference: Sendable {
    case id(Int64)
    case user(Int64)
}

/// Customer accounts: one per user, passwords stored only as Bcrypt hashes.
public struct AccountService: Sendable {
    let store: any Store
    let hasher: PasswordHasher
    let now: @Sendable () -> Date

    func list(_ page: PageRequest) async throws -> Page<Account> {
        try await store.read { try await $0.accounts(page) }
    }

    func get(_ reference: AccountReference) async throws -> Account {
        try await store.read { try await Self.find(reference, in: $0) }
    }

    func create(_ request: NewAccountRequest) async throws -> Account {
        let hash = try await hasher.hash(request.credentials.password)
        return try await store.transaction { [now] session in
            guard try await session.user(id: request.userID) != nil else {
                throw AppError.invalid("user_id", "there is no user with id \(request.userID)")
            }
            return try await session.insertAccount(username: request.credentials.username, passwordHash: hash,
                                                   userID: request.userID, at: now())
        }
    }

    /// Changes username, password or both; the password is hashed before the transaction opens.
    /// A new password revokes every token of the account but `keepingToken` (the caller's own).
    func update(_ reference: AccountReference, _ patch: AccountPatch, keepingToken: Int64?) async throws -> Account {
        let hash: String? = if let password = patch.password { try await hasher.hash(password) } else { nil }
        return try await store.transaction { [now] session in
            var account = try await Self.find(reference, in: session, lock: true)
            if let username = patch.username { account.username = username }
            account.updatedAt = now()
            if let hash {
                account.passwordHash = hash
                try await session.revokeTokens(accountID: account.id, keeping: keepingToken, at: account.updatedAt)
            }
            try await session.updateAccount(account)
            return account
        }
    }

    func delete(_ reference: AccountReference) async throws {
        try await store.transaction { session in
            let account = try await Self.find(reference, in: session)
            try await Self.keepAnAdmin(deleting: account, in: session)
            _ = try await session.deleteAccount(id: account.id)
        }
    }

    /// The shop keeps at least one admin: deleting the last one, by itself or by another, is refused.
    /// The admins are locked first, so two admins deleting each other at once go one after the other
    /// and the second finds itself the last (SQLite's writer runs them in turn anyway).
    static func keepAnAdmin(deleting account: Account, in session: StoreSession) async throws {
        guard account.role == .admin else { return }
        let admins = try await session.adminAccountIDs(lock: true)
        guard admins.contains(where: { $0 != account.id }) else {
            throw AppError.conflict("Account \(account.id) is the last admin; create another admin before deleting it.")
        }
    }

    private static func find(
        _ reference: AccountReference, in session: StoreSession, lock: Bool = false
    ) async throws -> Account {
        switch reference {
        case .id(let id):
            guard let account = try await session.account(id: id, lock: lock) else { throw AppError.missing("account", id) }
            return account
        case .user(let userID):
            guard try await session.user(id: userID) != nil else { throw AppError.missing("user", userID) }
            guard let account = try await session.account(userID: userID, lock: lock) else {
                throw AppError.notFound("User \(userID) has no account.")
            }
            return account
        }
    }
}
