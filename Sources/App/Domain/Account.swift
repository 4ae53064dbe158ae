import Foundation

/// A customer account: the sign-in identity of one user. Holds the Bcrypt hash, never the password.
public struct Account: Sendable, Equatable {
    public var id: Int64
    public var username: String
    public var passwordHash: String
    public var userID: Int64
    public var role: Role
    public var createdAt: Date
    public var updatedAt: Date
}
