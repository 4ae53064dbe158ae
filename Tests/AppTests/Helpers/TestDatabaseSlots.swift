/// Bounds how many tests hold a database at once. Swift Testing starts every test together; on a
/// database server each running test holds a pool of connections (a server process up to 20), and
/// hundreds at once exceeded the server's connection limit and starved the tests that time a live
/// server. A test already holding a slot (one database inside another) takes no second one.
actor TestDatabaseSlots {
    static let shared = TestDatabaseSlots(count: 32)

    @TaskLocal private static var holdsSlot = false

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    private init(count: Int) { free = count }

    /// Runs `body` once a slot is free, and frees the slot afterwards, whatever happens.
    static func withSlot<T>(_ body: () async throws -> T) async throws -> T {
        if holdsSlot { return try await body() }
        await shared.acquire()
        do {
            let result = try await $holdsSlot.withValue(true) { try await body() }
            await shared.release()
            return result
        } catch {
            await shared.release()
            throw error
        }
    }

    private func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    private func release() {
        if waiting.isEmpty {
            free += 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
