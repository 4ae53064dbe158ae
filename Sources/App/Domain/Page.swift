/// Which slice of a list to read: ascending ids after a keyset cursor, so a deep page costs what the first does.
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let limitRange = 1...200

    public var limit: Int
    public var afterID: Int64?

    public init(limit: Int = PageRequest.defaultLimit, afterID: Int64? = nil) {
        self.limit = limit
        self.afterID = afterID
    }
}

/// One page of a list and, when more items exist, the cursor of the next page.
public struct Page<Item: Sendable>: Sendable {
    public var items: [Item]
    public var nextAfterID: Int64?

    /// Builds a page from `limit + 1` fetched rows: the extra row only tells that another page exists.
    init(fetched: [Item], limit: Int, id: (Item) -> Int64) {
        if fetched.count > limit {
            items = Array(fetched.prefix(limit))
            nextAfterID = items.last.map(id)
        } else {
            items = fetched
            nextAfterID = nil
        }
    }

    func map<T>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), nextAfterID: nextAfterID)
    }

    private init(items: [Item], nextAfterID: Int64?) {
        self.items = items
        self.nextAfterID = nextAfterID
    }
}
