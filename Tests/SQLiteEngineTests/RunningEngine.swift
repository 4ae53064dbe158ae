import Foundation
import Logging
@testable import SQLiteEngine

/// Opens the database at `path` and checkpoints it while `body` runs; its connections are closed
/// when this returns.
func withRunningEngine(
    at path: String, checkpointing: SQLiteConnections.Checkpointing = .standard,
    _ body: (SQLiteConnections) async throws -> Void
) async throws {
    let engine = try await SQLiteConnections.open(
        path: path, checkpointing: checkpointing, lockWaitLimit: .seconds(10), logger: Logger(label: "tests")
    )
    do {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await engine.checkpointUntilCancelled() }
            defer { group.cancelAll() }
            try await body(engine)
        }
    } catch {
        await engine.close()
        throw error
    }
    await engine.close()
}
