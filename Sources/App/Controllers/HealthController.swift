import Hummingbird

/// `GET /health` (liveness: the process answers) and `GET /ready` (readiness: the database answers
/// a trivial query in time). Both are public and cheap, for load balancers and orchestrators.
struct HealthController {
    static let readinessTimeout: Duration = .seconds(2)
    let store: any Store

    struct Status: ResponseEncodable {
        let status: String
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/health") { _, _ in Status(status: "ok") }
        router.get("/ready") { _, _ in
            try await ready()
            return Status(status: "ready")
        }
    }

    /// Throws `.unavailable` (503) when the database does not answer within the timeout.
    func ready() async throws {
        let answered = await withTaskGroup(of: Bool.self) { group in
            group.addTask { [store] in (try? await store.read { try await $0.ping() }) != nil }
            group.addTask {
                try? await Task.sleep(for: Self.readinessTimeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        guard answered else { throw AppError.unavailable("The database is not reachable.") }
    }
}
