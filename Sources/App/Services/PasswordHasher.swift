import HummingbirdBcrypt
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Bcrypt hashing, run on the blocking thread pool: a hash takes tens of milliseconds at the default
/// cost and must never stall an event loop. At most `checks.maxRunning` hashes run at once (about one
/// per core) and a few more wait; beyond that a request is refused with 503 at once, so a flood of
/// sign-ins cannot queue without limit in front of everyone else's.
public struct PasswordHasher: Sendable {
    public static let defaultCost: UInt8 = 12
    /// Bcrypt reads only the first 72 bytes of a password.
    static let maxPasswordBytes = 72
    let cost: UInt8
    let checks: WorkGate

    /// About one hash per core runs at once, and four per core wait: at the default cost a waiting
    /// check starts within about a second.
    public static let standardChecks = (running: System.coreCount, waiting: 4 * System.coreCount)

    public init(cost: UInt8 = PasswordHasher.defaultCost, checks: (running: Int, waiting: Int) = standardChecks) {
        self.cost = cost
        self.checks = WorkGate(maxRunning: checks.running, maxWaiting: checks.waiting)
    }

    func hash(_ password: String) async throws -> String {
        try await checks.run { [cost] in
            try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
        }
    }

    /// A password longer than Bcrypt reads never matches: its first 72 bytes alone must not sign in.
    func verify(_ password: String, against hash: String) async throws -> Bool {
        let tooLong = password.utf8.count > Self.maxPasswordBytes
        // Checked all the same, so a long password costs what any wrong one does.
        let matches = try await checks.run {
            try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
        }
        return matches && !tooLong
    }
}

/// Lets at most `maxRunning` pieces of work run at once, with at most `maxWaiting` more waiting in
/// arrival order; work that finds the queue full is refused with 503 (`AppError.unavailable`).
final class WorkGate: Sendable {
    private struct State {
        var running = 0
        var waiting: [CheckedContinuation<Bool, Never>] = []
    }

    let maxRunning: Int
    let maxWaiting: Int
    private let state = NIOLockedValueBox(State())

    init(maxRunning: Int, maxWaiting: Int) {
        self.maxRunning = max(1, maxRunning)
        self.maxWaiting = maxWaiting
    }

    /// How many wait for a place (tests wait for this instead of guessing at scheduling).
    var waitingCount: Int { state.withLockedValue { $0.waiting.count } }

    func run<T: Sendable>(_ work: @Sendable () async throws -> T) async throws -> T {
        try await enter()
        defer { leave() }
        return try await work()
    }

    private func enter() async throws {
        // Queued or refused under the same lock that `leave` hands places over with, so no waiter is missed.
        let admitted = await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            let decided: Bool? = state.withLockedValue { state in
                if state.running < maxRunning {
                    state.running += 1
                    return true
                }
                guard state.waiting.count < maxWaiting else { return false }
                state.waiting.append(continuation)
                return nil
            }
            if let decided { continuation.resume(returning: decided) }
        }
        guard admitted else { throw AppError.unavailable("Too many password checks at once; please retry.") }
    }

    /// Hands the place to the longest waiting, or frees it.
    private func leave() {
        let next = state.withLockedValue { state -> CheckedContinuation<Bool, Never>? in
            guard !state.waiting.isEmpty else {
                state.running -= 1
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume(returning: true)
    }
}
