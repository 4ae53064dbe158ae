import Foundation
import Logging

/// Everything the service reads from its environment and flags, read once at start-up.
/// A bad value stops start-up with one line naming the variable.
public struct AppConfig: Sendable {
    public var hostname: String
    public var port: Int
    public var database: DatabaseLocation
    public var logLevel: Logger.Level
    public var bcryptCost: UInt8
    /// Request bodies above this many bytes are refused with 413.
    public var maxBodySize: Int

    public init(
        hostname: String = "127.0.0.1", port: Int = 8080, database: DatabaseLocation = .default,
        logLevel: Logger.Level = .info, bcryptCost: UInt8 = PasswordHasher.defaultCost, maxBodySize: Int = 1 << 20
    ) {
        self.hostname = hostname
        self.port = port
        self.database = database
        self.logLevel = logLevel
        self.bcryptCost = bcryptCost
        self.maxBodySize = maxBodySize
    }

    /// Reads `DATABASE_URL`, `DATABASE_POOL_SIZE`, `DATABASE_CONNECT_TIMEOUT`, `LOG_LEVEL` and
    /// `BCRYPT_COST`; unset variables keep their defaults.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment,
        hostname: String = "127.0.0.1", port: Int = 8080
    ) throws(ConfigError) -> AppConfig {
        var config = AppConfig(hostname: hostname, port: port)
        config.database = try DatabaseLocation(url: environment["DATABASE_URL"])
        if case .postgres(var settings) = config.database {
            if let size = environment["DATABASE_POOL_SIZE"] {
                guard let parsed = Int(size), (1...1000).contains(parsed) else {
                    throw ConfigError("DATABASE_POOL_SIZE must be an integer from 1 to 1000; got '\(size)'")
                }
                settings.poolSize = parsed
            }
            if let timeout = environment["DATABASE_CONNECT_TIMEOUT"] {
                guard let seconds = Int(timeout), (1...600).contains(seconds) else {
                    throw ConfigError("DATABASE_CONNECT_TIMEOUT must be a number of seconds from 1 to 600; got '\(timeout)'")
                }
                settings.connectTimeout = .seconds(seconds)
            }
            config.database = .postgres(settings)
        }
        if let level = environment["LOG_LEVEL"] {
            guard let parsed = Logger.Level(rawValue: level.lowercased()) else {
                throw ConfigError("LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical; got '\(level)'")
            }
            config.logLevel = parsed
        }
        if let cost = environment["BCRYPT_COST"] {
            guard let parsed = UInt8(cost), (4...31).contains(parsed) else {
                throw ConfigError("BCRYPT_COST must be an integer from 4 to 31; got '\(cost)'")
            }
            config.bcryptCost = parsed
        }
        return config
    }
}

/// A configuration value that cannot be used; its description is the one line shown at start-up.
public struct ConfigError: Error, CustomStringConvertible, Equatable {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
