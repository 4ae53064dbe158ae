@testable import App
import Foundation
import Logging

/// Opens the SQLite store at `path` and runs it (its checkpointer) while `body` runs; the store has
/// shut down when this returns.
func withRunningSQLiteStore(
    at path: String, checkpointing: SQLiteStore.Checkpointing = .standard, _ body: (SQLiteStore) async throws -> Void
) async throws {
    let store = try await SQLiteStore.open(path: path, checkpointing: checkpointing, logger: Logger(label: "tests"))
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await store.run() }
        defer { group.cancelAll() }
        try await body(store)
    }
}
