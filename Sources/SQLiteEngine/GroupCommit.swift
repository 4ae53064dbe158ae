import NIOConcurrencyHelpers
import NIOCore

/// Group commit for SQLite's one writer connection. One task, on the connection's thread, runs the
/// transactions queued for the writer: those queued together join a single database transaction,
/// each inside a savepoint of its own, so a member that fails is rolled back to its savepoint alone
/// and the others commit together, once. Committing (and the WAL pages it writes) was most of an
/// order's cost; a batch pays it once. Callers wait without hopping to the thread themselves: a
/// transaction costs its caller one suspension, resumed once the batch has committed, so no caller
/// ever learns of a change that could still be lost. A batch commits as soon as nobody is waiting,
/// or when full.
final class GroupCommit: Sendable {
    private let jobs = JobQueue()
    private let runner: Task<Void, Never>

    init(connection: SQLiteEngineConnection, maxMembers: Int = 16) {
        let batches = Batches(connection: connection, jobs: jobs, maxMembers: maxMembers)
        runner = Task(executorPreference: connection.thread) { await batches.run() }
    }

    /// Runs `work` in a transaction, as a member of the batch being run or of the next one.
    func transaction<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let member = Member(
                run: {
                    let result = await Result(running: work)
                    return Answer(succeeded: result.isSuccess) { batchEnd in
                        // A member's own failure is its answer whatever became of the batch.
                        continuation.resume(with: result.flatMap { value in batchEnd.map { value } })
                    }
                },
                fail: { continuation.resume(throwing: $0) }
            )
            if !jobs.append(.member(member)) { continuation.resume(throwing: SQLiteEngineError.closed) }
        }
    }

    /// Runs `work` alone on the connection, outside any transaction: the batch before it commits
    /// first, so `work` reads only what is committed.
    func exclusive<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = Job.exclusive { continuation.resume(with: await Result(running: work)) }
            if !jobs.append(job) { continuation.resume(throwing: SQLiteEngineError.closed) }
        }
    }

    /// Runs what is queued, then ends: later transactions fail as on a closed connection.
    func stop() async {
        jobs.close()
        await runner.value
    }
}

extension Result where Failure == any Error {
    fileprivate init(running work: () async throws -> Success) async {
        do {
            self = .success(try await work())
        } catch {
            self = .failure(error)
        }
    }

    fileprivate var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}

private enum Job: Sendable {
    case member(Member)
    case exclusive(@Sendable () async -> Void)
}

/// A transaction waiting for the writer.
private struct Member: Sendable {
    /// Runs the work in the open transaction; what it returns answers the caller.
    let run: @Sendable () async -> Answer
    /// Answers the caller when the batch could not run the work at all.
    let fail: @Sendable (any Error) -> Void
}

/// A member's result, held until its batch has ended.
private struct Answer: Sendable {
    let succeeded: Bool
    /// Called with how the batch ended.
    let send: @Sendable (Result<Void, any Error>) -> Void
}

/// The part that runs on the writer's thread, one batch after another.
private struct Batches: Sendable {
    let connection: SQLiteEngineConnection
    let jobs: JobQueue
    let maxMembers: Int

    func run() async {
        while let job = await jobs.next() {
            switch job {
            case .exclusive(let work): await work()
            case .member(let first): await runBatch(startingWith: first)
            }
        }
    }

    private func runBatch(startingWith first: Member) async {
        // IMMEDIATE takes the write lock up front: another process waits at BEGIN, never mid-transaction.
        do {
            try await control("BEGIN IMMEDIATE")
        } catch {
            first.fail(error)
            return
        }
        var answers: [Answer] = []
        var next: Member? = first
        while let member = next {
            do {
                try await control("SAVEPOINT member")
            } catch {
                member.fail(error)
                return await abandon(answers, error)
            }
            let answer = await member.run()
            do {
                if answer.succeeded {
                    try await control("RELEASE member")
                    answers.append(answer)
                } else {
                    try await control("ROLLBACK TO member")
                    try await control("RELEASE member")
                    answer.send(.success(()))
                }
            } catch {
                // Some failures (a full disk, an I/O error) end the whole transaction, members and all.
                answer.send(.failure(error))
                return await abandon(answers, error)
            }
            next = answers.count < maxMembers ? jobs.nextMember() : nil
        }
        do {
            try await control("COMMIT")
            for answer in answers { answer.send(.success(())) }
        } catch {
            await abandon(answers, error)
        }
    }

    private func abandon(_ answers: [Answer], _ error: any Error) async {
        try? await control("ROLLBACK")
        for answer in answers { answer.send(.failure(error)) }
    }

    /// A transaction control statement, run on the connection directly: SQLKit would only
    /// serialize the same text again, twice per member.
    private func control(_ statement: String) async throws {
        try await connection.run(statement, []) { _ in }
    }
}

/// The jobs waiting for the writer, and the writer waiting for jobs.
private final class JobQueue: Sendable {
    private struct State {
        var jobs = CircularBuffer<Job>()
        var idleRunner: CheckedContinuation<Job?, Never>?
        var closed = false
    }

    private let state = NIOLockedValueBox(State())

    /// False, queuing nothing, once closed.
    func append(_ job: Job) -> Bool {
        let (accepted, idleRunner) = state.withLockedValue { state -> (Bool, CheckedContinuation<Job?, Never>?) in
            guard !state.closed else { return (false, nil) }
            if let idleRunner = state.idleRunner {
                state.idleRunner = nil
                return (true, idleRunner)
            }
            state.jobs.append(job)
            return (true, nil)
        }
        idleRunner?.resume(returning: job)
        return accepted
    }

    /// The next job, waiting for one; nil once closed with none left.
    func next() async -> Job? {
        if let job = state.withLockedValue({ $0.jobs.popFirst() }) { return job }
        return await withCheckedContinuation { continuation in
            let ready = state.withLockedValue { state -> Job?? in
                if let job = state.jobs.popFirst() { return .some(job) }
                if state.closed { return .some(nil) }
                state.idleRunner = continuation
                return nil
            }
            if let ready { continuation.resume(returning: ready) }
        }
    }

    /// The next job if it is a transaction, without waiting: the open batch takes it.
    func nextMember() -> Member? {
        state.withLockedValue { state in
            guard case .member(let member)? = state.jobs.first else { return nil }
            state.jobs.removeFirst()
            return member
        }
    }

    func close() {
        let idleRunner = state.withLockedValue { state in
            state.closed = true
            defer { state.idleRunner = nil }
            return state.idleRunner
        }
        idleRunner?.resume(returning: nil)
    }
}
