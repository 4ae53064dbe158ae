/// Product reads by id for a database server (PostgreSQL, MySQL): reads arriving together share one
/// query, so that under load one round trip (its messages, its start in the database) serves many.
/// Nothing is remembered: every read is answered by a query sent after it arrived, so it sees every
/// change committed before it was asked.
struct SharedProductReads: Sendable {
    typealias Read = @Sendable (_ ids: [Int64]) async throws -> [Int64: Product]

    private let reads: Batcher<Int64, Product?>

    /// `read` is `StoreSession.products(ids:)` on one of the store's connections; at most
    /// `maxRunning` of its queries run at once.
    init(maxRunning: Int = 4, read: @escaping Read) {
        reads = Batcher(maxItems: 32, maxRunning: maxRunning) { ids in
            let found = try await read(Array(Set(ids)))
            return ids.map { found[$0] }
        }
    }

    func product(id: Int64) async throws -> Product? {
        try await reads.submit(id)
    }

    /// How many reads wait for a query to take them.
    var waitingCount: Int { reads.waitingCount }
}
