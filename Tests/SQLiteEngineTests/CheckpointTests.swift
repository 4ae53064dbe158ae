import Foundation
import NIOConcurrencyHelpers
import SQLiteEngine
import SQLKit
import Testing
import TestSupport

/// The WAL is checkpointed off the writer, and started over even while writes never stop.
@Suite struct CheckpointTests {
    /// Counted in restarts, not bytes: how far the WAL grows between two restarts depends on how fast
    /// the writers outrun the checkpointer on this machine at this moment, but whether it is started
    /// over at all does not. The writer never checkpoints here, so without the checkpointer the WAL
    /// would never start over and grow for as long as the writers write.
    @Test func theWALIsStartedOverUnderSteadyWrites() async throws {
        var checkpointing = SQLiteConnections.Checkpointing()
        checkpointing.interval = .milliseconds(50)
        checkpointing.restartBytes = 800 << 10
        checkpointing.writerBytes = 4 << 30 // never: the checkpointer alone must keep the WAL small
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("db.sqlite").path
            try await withRunningEngine(at: path, checkpointing: checkpointing) { store in
                try await store.transaction { try await $0.raw("CREATE TABLE t (id INTEGER PRIMARY KEY, filler TEXT)").run() }
                let filler = String(repeating: "x", count: 3_000) // about three pages a row
                let firstRestart = try walRestarts(path + "-wal")
                // Two writers that never pause, until the WAL has been started over five times.
                let stop = NIOLockedValueBox(false)
                let written = try await withThrowingTaskGroup(of: Int.self) { writers in
                    for _ in 0..<2 {
                        writers.addTask {
                            var rows = 0
                            while !stop.withLockedValue({ $0 }) {
                                try await store.transaction { try await $0.raw("INSERT INTO t (filler) VALUES (\(bind: filler))").run() }
                                rows += 1
                            }
                            return rows
                        }
                    }
                    // Five restarts take a few seconds; two minutes is passed only if restarts stop.
                    // The writers are stopped whatever the outcome, or the group would wait for ever.
                    var unrestarted: (any Error)?
                    do {
                        try await eventually("the WAL to be started over 5 times under steady writes", within: .seconds(120)) {
                            try walRestarts(path + "-wal") - firstRestart >= 5
                        }
                    } catch {
                        unrestarted = error
                    }
                    stop.withLockedValue { $0 = true }
                    let written = try await writers.reduce(0, +)
                    if let unrestarted { throw unrestarted }
                    return written
                }
                let count = try await store.read { try await $0.raw("SELECT count(*) AS n FROM t").first()?.decode(column: "n", as: Int.self) }
                #expect(count == written)
            }
        }
    }

    /// The WAL header's checkpoint sequence number, which SQLite increases each time it starts the
    /// WAL over (read with `read(2)` on a descriptor of our own: SQLite holds no lock on the WAL file
    /// itself, so opening and closing one drops none of its locks).
    private func walRestarts(_ walPath: String) throws -> Int {
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: walPath))
        defer { try? handle.close() }
        let header = try #require(try handle.read(upToCount: 16), "no WAL at \(walPath)")
        try #require(header.count == 16, "a WAL header of \(header.count) bytes")
        return header[12..<16].reduce(0) { $0 << 8 | Int($1) }
    }
}
