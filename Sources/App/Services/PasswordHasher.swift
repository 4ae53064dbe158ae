import HummingbirdBcrypt
import NIOPosix

/// Bcrypt hashing, run on the blocking thread pool: a hash takes tens of milliseconds at the default
/// cost and must never stall an event loop.
public struct PasswordHasher: Sendable {
    public static let defaultCost: UInt8 = 12
    let cost: UInt8

    public init(cost: UInt8 = PasswordHasher.defaultCost) {
        self.cost = cost
    }

    func hash(_ password: String) async throws -> String {
        try await NIOThreadPool.singleton.runIfActive { [cost] in Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}
