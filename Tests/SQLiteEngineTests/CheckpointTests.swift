import Foundation
import SQLKit
import SQLiteEngine
import Testing

/// The WAL is checkpointed off the writer, and started over even while writes never stop.
@Suite struct CheckpointTests {
    @Test func theWALStaysBoundedUnderSteadyWrites() async throws {
        var checkpointing = SQLiteConnections.Checkpointing()
        checkpointing.interval = .milliseconds(50)
        checkpointing.restartBytes = 800 << 10
        checkpointing.writerBytes = 4 << 30 // never: the checkpointer alone must keep the WAL small
        try await withTemporaryFolder { folder in
            let path = folder.appendingPathComponent("db.sqlite").path
            try await withRunningEngine(at: path, checkpointing: checkpointing) { store in
                try await store.transaction { try await $0.raw("CREATE TABLE t (id INTEGER PRIMARY KEY, filler TEXT)").run() }
                let filler = String(repeating: "x", count: 3_000) // about three pages a row
                // Two writers that never pause, until 8,000 rows (~30 MB of WAL, were it never restarted).
                let target = 8_000
                let deadline = ContinuousClock.now + .seconds(60)
                try await withThrowingTaskGroup(of: Void.self) { writers in
                    for _ in 0..<2 {
                        writers.addTask {
                            for _ in 0..<target / 2 where ContinuousClock.now < deadline {
                                try await store.transaction { try await $0.raw("INSERT INTO t (filler) VALUES (\(bind: filler))").run() }
                            }
                        }
                    }
                    try await writers.waitForAll()
                }
                let count = try await store.read { try await $0.raw("SELECT count(*) AS n FROM t").first()?.decode(column: "n", as: Int.self) }
                #expect(count == target)
                let walBytes = try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0
                // Unrestarted, these rows make a WAL of tens of MB; restarted, it stays within a few
                // thresholds (20 of them leaves room for slow rounds on a busy machine: 10 MB was seen).
                #expect(walBytes < 20 * checkpointing.restartBytes, "WAL of \(walBytes) bytes")
            }
        }
    }
}
