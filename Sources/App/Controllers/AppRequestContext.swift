import Foundation
import Hummingbird
import NIOCore

/// The request context of every route.
public struct AppRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The account whose bearer token came with the request (`AuthenticationMiddleware`); nil when none did.
    public var caller: Caller?
    /// The console session of a request under /admin, from its cookie (`ConsoleSessionMiddleware`).
    var consoleSession: ConsoleSession?
    /// The form a console request posted, read and checked for its CSRF token by the middleware.
    var consoleForm: ConsoleForm?
    /// The connection's other end; nil when it has none (tests without sockets).
    public let remoteAddress: SocketAddress?

    public init(source: Source) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
