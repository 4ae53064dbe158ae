import Foundation

// SQLite and MySQL place orders statement by statement: SQLite's single writer commits transactions
// that queue together at once (`GroupCommit`), and MySQL has no data-modifying CTEs.

extension SQLiteStore {
    public func placeOrders(_ orders: [OrderToPlace], at time: Date) async throws -> [PlacementOutcome] {
        try await placeOrdersOneByOne(orders, at: time)
    }
}

#if MySQL
extension MySQLStore {
    func placeOrders(_ orders: [OrderToPlace], at time: Date) async throws -> [PlacementOutcome] {
        try await placeOrdersOneByOne(orders, at: time)
    }
}
#endif
