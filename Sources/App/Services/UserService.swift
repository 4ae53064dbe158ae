import Foundation

/// Users: people known to the shop. A user with orders is never deleted, so order history survives.
public struct UserService: Sendable {
    let store: any Store
    let now: @Sendable () -> Date

    func list(_ page: PageRequest) async throws -> Page<User> {
        try await store.read { try await $0.users(page) }
    }

    func get(id: Int64) async throws -> User {
        guard let user = try await store.read({ try await $0.user(id: id) }) else { throw AppError.missing("user", id) }
        return user
    }

    func create(_ fields: UserFields) async throws -> User {
        try await store.transaction { [now] in try await $0.insertUser(fields, at: now()) }
    }

    /// Applies `change` to the user's fields; PUT replaces them all, PATCH some.
    func update(id: Int64, _ change: @escaping @Sendable (inout UserFields) -> Void) async throws -> User {
        try await store.transaction { [now] session in
            guard var user = try await session.user(id: id, lock: true) else { throw AppError.missing("user", id) }
            var fields = UserFields(name: user.name, email: user.email, phone: user.phone)
            change(&fields)
            (user.name, user.email, user.phone, user.updatedAt) = (fields.name, fields.email, fields.phone, now())
            try await session.updateUser(user)
            return user
        }
    }

    /// Deletes the user and their account (ending its tokens); refused while the user has orders.
    func delete(id: Int64) async throws {
        try await store.transaction { session in
            guard try await session.user(id: id) != nil else { throw AppError.missing("user", id) }
            guard try await !session.userHasOrders(id: id) else {
                throw AppError.conflict("User \(id) has orders and cannot be deleted; order history is kept.")
            }
            if let account = try await session.account(userID: id) {
                try await AccountService.keepAnAdmin(deleting: account, in: session)
            }
            _ = try await session.deleteUser(id: id)
        }
    }
}

extension AppError {
    static func missing(_ entity: String, _ id: Int64) -> AppError {
        .notFound("There is no \(entity) with id \(id).")
    }
}
