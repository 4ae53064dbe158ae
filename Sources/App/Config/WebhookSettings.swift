import Foundation

/// How the dispatcher retries, when it gives up on an endpoint, and whether it may reach addresses
/// that are not public (development and tests only).
public struct WebhookSettings: Sendable, Equatable {
    /// Seconds before each retry after the first, immediate attempt (`WEBHOOK_RETRY_SCHEDULE`):
    /// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h; then the delivery has failed.
    public var retryDelays: [Int] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000]
    /// An endpoint whose deliveries all failed this long is disabled (`WEBHOOK_DISABLE_AFTER`, seconds).
    public var disableAfter: TimeInterval = 5 * 86_400
    /// `http://` and loopback, private and other non-public addresses (`WEBHOOK_ALLOW_INSECURE=true`).
    public var allowInsecure = false
    /// How often the dispatcher looks for new events and due deliveries (`WEBHOOK_POLL_INTERVAL`, ms).
    public var pollInterval: Duration = .milliseconds(200)

    public init() {}

    static func fromEnvironment(_ environment: [String: String]) throws(ConfigError) -> WebhookSettings {
        var settings = WebhookSettings()
        if let text = environment["WEBHOOK_RETRY_SCHEDULE"] {
            let delays = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !delays.isEmpty, delays.allSatisfy({ $0.map { (0...604_800).contains($0) } ?? false }), delays.count <= 50 else {
                throw ConfigError("WEBHOOK_RETRY_SCHEDULE must list up to 50 delays in seconds (0 to 604800), separated by commas; got '\(text)'")
            }
            settings.retryDelays = delays.compactMap { $0 }
        }
        if let text = environment["WEBHOOK_DISABLE_AFTER"] {
            guard let seconds = Int(text), (1...(366 * 86_400)).contains(seconds) else {
                throw ConfigError("WEBHOOK_DISABLE_AFTER must be a number of seconds from 1 to 31622400; got '\(text)'")
            }
            settings.disableAfter = TimeInterval(seconds)
        }
        if let text = environment["WEBHOOK_POLL_INTERVAL"] {
            guard let milliseconds = Int(text), (10...600_000).contains(milliseconds) else {
                throw ConfigError("WEBHOOK_POLL_INTERVAL must be a number of milliseconds from 10 to 600000; got '\(text)'")
            }
            settings.pollInterval = .milliseconds(milliseconds)
        }
        settings.allowInsecure = try AppConfig.boolean(environment, "WEBHOOK_ALLOW_INSECURE") ?? settings.allowInsecure
        return settings
    }
}
