import Foundation

/// A thread of its own for one SQLite connection, usable as a task executor. Work that prefers this
/// executor runs all of its statements on the connection's thread: a transaction costs one hop onto
/// the thread and one back, rather than two per statement. SQLite's calls block (on the disk, on
/// another process's lock), so they stay off the cooperative threads and the event loops.
final class ConnectionThread: TaskExecutor, @unchecked Sendable {
    private let queue = JobQueue()
    private let thread: Thread

    init(name: String) {
        let queue = queue
        thread = Thread {
            // Named from the thread itself, where Linux applies it (as profilers and `top -H` show).
            Thread.current.name = name
            queue.runUntilStopped()
        }
        queue.executor = asUnownedTaskExecutor()
        thread.start()
    }

    /// Whether the caller runs on this thread.
    var isCurrent: Bool { Thread.current === thread }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        // A task that still prefers a stopped thread carries on on the shared pool (its statements
        // then fail, the connection being closed) rather than waiting for ever.
        if !queue.append(job) { globalConcurrentExecutor.enqueue(job) }
    }

    /// Lets the thread finish the jobs it has and end; later jobs go to the shared pool.
    func stop() {
        queue.stop()
    }

    deinit {
        queue.stop()
    }
}

/// The jobs waiting for the thread. `jobs` and `stopped` are guarded by `condition`; `executor` is
/// set once, before the thread starts.
private final class JobQueue: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var stopped = false
    var executor: UnownedTaskExecutor?

    /// False, queuing nothing, once stopped.
    func append(_ job: UnownedJob) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !stopped else { return false }
        jobs.append(job)
        condition.signal()
        return true
    }

    func stop() {
        condition.lock()
        stopped = true
        condition.signal()
        condition.unlock()
    }

    func runUntilStopped() {
        guard let executor else { return }
        while let batch = nextJobs() {
            for job in batch {
                job.runSynchronously(on: executor)
            }
        }
    }

    /// The jobs queued so far, waiting for one; nil once stopped with none left.
    private func nextJobs() -> [UnownedJob]? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !stopped {
            condition.wait()
        }
        guard !jobs.isEmpty else { return nil }
        var batch: [UnownedJob] = []
        swap(&batch, &jobs)
        return batch
    }
}
