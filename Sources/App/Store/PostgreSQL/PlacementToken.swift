/// A random name given to an order before it is sent to the PostgreSQL batch statement and stored
/// with it under a unique index: when the batch's reply is lost, whether the order was placed is
/// found by it, and placing it again under the same token cannot store it twice.
struct PlacementToken: Sendable, Hashable {
    /// 128 random bits in hex.
    static let length = 32

    let value: String

    static func random() -> PlacementToken {
        PlacementToken(value: Hex.random128())
    }
}
