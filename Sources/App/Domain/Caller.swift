/// What an account may do: customers act on their own data, admins on everything.
public enum Role: String, Sendable, CaseIterable {
    case customer
    case admin
}

/// The authenticated account behind a request.
public struct Caller: Sendable, Equatable {
    public var accountID: Int64
    public var userID: Int64
    public var role: Role
    /// The token the request came with, so logout and password changes know which one it is.
    public var tokenID: Int64

    public var isAdmin: Bool { role == .admin }

    /// May this caller act on the data of `userID`?
    public func owns(userID: Int64) -> Bool {
        isAdmin || self.userID == userID
    }
}
