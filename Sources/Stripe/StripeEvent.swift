import JSONSupport

/// An event Stripe delivers to a webhook endpoint: `{"id": "evt_…", "type": "…", "data": {"object": {…}}}`.
/// Only what every API version shares is read; the object is left to whoever handles its type.
public struct StripeEvent: Sendable, Equatable {
    public var id: String
    public var type: String
    public var object: JSONValue

    /// Nil when the document is not an event.
    public init?(_ document: JSONValue) {
        guard let id = document["id"].string, !id.isEmpty, let type = document["type"].string,
              case .object = document["data"]["object"]
        else { return nil }
        self.id = id
        self.type = type
        self.object = document["data"]["object"]
    }
}
