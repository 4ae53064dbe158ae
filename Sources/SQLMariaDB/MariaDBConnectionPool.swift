#if MySQL
import Logging
import NIOPosix

/// A bounded pool of connections. A lease takes an idle connection that still looks alive, or opens
/// one while fewer than `maximumConnections` exist, or waits in line for one — at most `leaseTimeout`,
/// then fails with `.poolTimeout`. Connections that broke are closed rather than returned, so after a
/// server restart the next lease gets a fresh connection. The pool owns the threads its connections'
/// blocking calls run on, one per connection, so no connection waits for another's call.
public actor MariaDBConnectionPool {
    public nonisolated let configuration: MariaDBConfiguration
    public nonisolated let maximumConnections: Int
    public nonisolated let leaseTimeout: Duration
    private nonisolated let threadPool: NIOThreadPool
    private nonisolated let logger: Logger

    private var idle: [MariaDBConnection] = []
    /// Connections idle, leased or being opened; never above `maximumConnections`.
    private var connectionCount = 0
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0
    private var isClosed = false
    private var drained: CheckedContinuation<Void, Never>?

    /// What a waiting lease is handed: a connection someone returned, or room to open its own.
    private enum Grant: Sendable {
        case connection(MariaDBConnection)
        case room
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Grant, any Error>
        let timer: Task<Void, Never>
    }

    public init(configuration: MariaDBConfiguration, maximumConnections: Int, leaseTimeout: Duration = .seconds(10), logger: Logger) {
        self.configuration = configuration
        self.maximumConnections = max(1, maximumConnections)
        self.leaseTimeout = leaseTimeout
        self.logger = logger
        threadPool = NIOThreadPool(numberOfThreads: max(1, maximumConnections))
        threadPool.start()
    }

    /// Runs `body` with a leased connection and returns the connection afterwards, broken or not.
    public nonisolated func withConnection<T>(_ body: (MariaDBConnection) async throws -> T) async throws -> T {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            await giveBack(connection)
            return result
        } catch {
            await giveBack(connection)
            throw error
        }
    }

    /// The number of connections open or opening, for tests and metrics.
    public var openConnections: Int { connectionCount }

    public nonisolated func lease() async throws -> MariaDBConnection {
        var grant = try await acquire()
        while true {
            switch grant {
            case .connection(let connection):
                if connection.looksAlive { return connection }
                // The server closed it while it sat idle; its place goes to a fresh connection.
                logger.debug("Discarding a dead idle MariaDB connection", metadata: ["connection": "\(connection.id)"])
                await connection.close()
                grant = .room
            case .room:
                do {
                    return try await MariaDBConnection.connect(configuration: configuration, threadPool: threadPool)
                } catch {
                    await roomFreed()
                    throw error
                }
            }
        }
    }

    private func acquire() async throws -> Grant {
        guard !isClosed else { throw MariaDBError(kind: .poolClosed, message: "the connection pool is closed") }
        if let connection = idle.popLast() { return .connection(connection) }
        if connectionCount < maximumConnections {
            connectionCount += 1
            return .room
        }
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let timer = Task { [leaseTimeout] in
                    try? await Task.sleep(for: leaseTimeout)
                    self.failWaiter(id, MariaDBError(
                        kind: .poolTimeout,
                        message: "no connection became free within \(leaseTimeout) (pool of \(maximumConnections))"
                    ))
                }
                waiters.append(Waiter(id: id, continuation: continuation, timer: timer))
            }
        } onCancel: {
            Task { await self.failWaiter(id, CancellationError()) }
        }
    }

    private func failWaiter(_ id: Int, _ error: any Error) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.timer.cancel()
        waiter.continuation.resume(throwing: error)
    }

    /// Hands the connection to the next waiter, keeps it idle, or — when it broke or the pool is
    /// closing — closes it and frees its place.
    public func giveBack(_ connection: MariaDBConnection) async {
        if connection.isBroken || isClosed {
            await connection.close()
            roomFreed()
            return
        }
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            waiter.timer.cancel()
            waiter.continuation.resume(returning: .connection(connection))
        } else {
            idle.append(connection)
        }
    }

    private func roomFreed() {
        if !isClosed, !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            waiter.timer.cancel()
            waiter.continuation.resume(returning: .room)
            return
        }
        connectionCount -= 1
        if connectionCount == 0 { drained?.resume(); drained = nil }
    }

    /// Refuses new leases, fails the waiting ones, closes idle connections, waits for leased ones to
    /// come back and close, then stops the threads.
    public func close() async {
        guard !isClosed else { return }
        isClosed = true
        for waiter in waiters {
            waiter.timer.cancel()
            waiter.continuation.resume(throwing: MariaDBError(kind: .poolClosed, message: "the connection pool is closed"))
        }
        waiters.removeAll()
        let closing = idle
        idle.removeAll()
        for connection in closing {
            await connection.close()
            roomFreed()
        }
        if connectionCount > 0 {
            await withCheckedContinuation { drained = $0 }
        }
        try? await threadPool.shutdownGracefully()
    }
}
#endif
