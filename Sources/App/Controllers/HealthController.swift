import JSONSupport
import Hummingbird
import NIOConcurrencyHelpers

/// `GET /health` (liveness: the process answers) and `GET /ready` (readiness: the database answers
/// a trivial query in time). Both are public and cheap, for load balancers and orchestrators.
struct HealthController {
    static let readinessTimeout: Duration = .seconds(2)
    let store: any Store

    struct Status: JSONResponse {
        let status: String

        func write(to json: inout JSONWriter) {
            json.object { $0.field("status", status) }
        }
    }

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/health") { _, _ in Status(status: "ok") }
        router.get("/ready") { _, _ in
            try await ready()
            return Status(status: "ready")
        }
    }

    /// Throws `.unavailable` (503) when the database does not answer within the timeout. The answer
    /// never waits longer: a connection attempt that ignores cancellation finishes in the background.
    func ready() async throws {
        let answered = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let answeredOnce = NIOLockedValueBox(false)
            let answer: @Sendable (Bool) -> Void = { value in
                let first = answeredOnce.withLockedValue { answered in
                    defer { answered = true }
                    return !answered
                }
                if first { continuation.resume(returning: value) }
            }
            Task { [store] in answer((try? await store.read { try await $0.ping() }) != nil) }
            Task {
                try? await Task.sleep(for: Self.readinessTimeout)
                answer(false)
            }
        }
        guard answered else { throw AppError.unavailable("The database is not reachable.") }
    }
}
