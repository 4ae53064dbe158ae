/// A client's `Idempotency-Key`, within the scope of its caller's account, so one client's key never
/// replays another's order.
public struct IdempotencyKey: Sendable, Equatable {
    /// Keys are remembered at least this long (`IdempotencyKeyExpiry` removes older ones).
    public static let retention: Duration = .seconds(24 * 60 * 60)

    public var scope: String
    public var value: String
}
