import Foundation
import Hummingbird
import NIOCore

/// The request context of every route.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The account whose bearer token came with the request (`AuthenticationMiddleware`); nil when none did.
    public var caller: Caller?
    /// The connection's other end; nil when it has none (tests without sockets).
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}

/// The access rules of the API, checked before a body is read so a refused request learns nothing.
extension AppRequestContext {
    /// Any signed-in account; 401 otherwise.
    func requireCaller() throws(AppError) -> Caller {
        guard let caller else { throw .unauthorized("Sign in: send Authorization: Bearer <token>.") }
        return caller
    }

    /// Admins only; 403 for customers.
    @discardableResult
    func requireAdmin() throws(AppError) -> Caller {
        let caller = try requireCaller()
        guard caller.isAdmin else { throw .forbidden("This action is for admins.") }
        return caller
    }

    /// The user's own data, or an admin. Another user's data answers 404, as if it did not exist.
    @discardableResult
    func requireOwner(ofUser userID: Int64) throws(AppError) -> Caller {
        let caller = try requireCaller()
        guard caller.owns(userID: userID) else { throw AppError.missing("user", userID) }
        return caller
    }
}
