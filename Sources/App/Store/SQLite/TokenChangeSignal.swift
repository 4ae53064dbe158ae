import Foundation

/// Eight bytes in a file beside an SQLite database (`<database>-tokens`) that every process using
/// the database through this service rewrites at random once it has committed a change that can end
/// a token. A server remembering callers (`CallerCache`) reads them before trusting what it
/// remembers, so a change made by another process (`ecommerce reset-password`) is seen at once, for
/// the price of one `pread` — a query per request was what the cache saves.
final class TokenChangeSignal: Sendable {
    private let descriptor: Int32

    init(databasePath: String) throws {
        let path = databasePath + "-tokens"
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
    }

    deinit {
        close(descriptor)
    }

    /// What the file says now; the same value until some process signals.
    var current: UInt64 {
        var value: UInt64 = 0
        _ = withUnsafeMutableBytes(of: &value) { pread(descriptor, $0.baseAddress, $0.count, 0) }
        return value
    }

    /// Tells every process that a change committed; returns what the file now says. A write that
    /// fails leaves other servers' caches to their entries' lifetime, as a change made by hand does.
    @discardableResult
    func signal() -> UInt64 {
        var value = UInt64.random(in: 1 ... .max)
        _ = withUnsafeBytes(of: &value) { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        return value
    }
}
