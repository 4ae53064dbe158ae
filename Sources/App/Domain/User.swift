import Foundation

/// A person known to the shop. Stored row and domain value; never encoded to a client directly.
public struct User: Sendable, Equatable {
    public var id: Int64
    public var name: String
    public var email: String
    public var phone: String
    public var createdAt: Date
    public var updatedAt: Date
}

/// The fields a client may set on a user.
public struct UserFields: Sendable, Equatable {
    public var name: String
    public var email: String
    public var phone: String
}
