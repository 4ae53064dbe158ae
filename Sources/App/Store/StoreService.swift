import ServiceLifecycle

/// Keeps the store open while the application runs and closes it after the server has stopped:
/// services shut down in reverse order, so in-flight requests finish first.
struct StoreService: Service {
    let store: any Store

    func run() async throws {
        try? await gracefulShutdown()
        try await store.close()
    }
}
