import ServiceLifecycle

/// Runs `work` every `interval` until graceful shutdown, sleeping first (which also leaves start-up
/// to the migrations). A failed run (the database unreachable) is left to the next; a cancelled
/// sleep at shutdown is not a failure.
func periodically(every interval: Duration, _ work: @escaping @Sendable () async throws -> Void) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            try? await work()
        }
    }
}
