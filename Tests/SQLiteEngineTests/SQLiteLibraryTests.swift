@testable import SQLiteEngine
import Testing

/// The engine opens nothing on an SQLite other than the one its declarations were checked against,
/// or one without FTS5, and says why in one line.
@Suite struct SQLiteLibraryTests {
    @Test func theLinkedLibraryIsTheOneTheEngineWasBuiltFor() async throws {
        try SQLiteLibrary.checkLinked()
        let connection = try await SQLiteEngineConnection.open(path: ":memory:", threadName: "sqlite-test")
        await connection.close()
    }

    @Test func anotherVersionIsRefusedInOneLineNamingBoth() {
        let error = #expect(throws: SQLiteLibraryMismatch.self) {
            try SQLiteLibrary.check(versionNumber: 3_053_000, version: "3.53.0", hasRequiredOption: true)
        }
        #expect(error?.description.contains("3.53.0") == true)
        #expect(error?.description.contains("\(SQLiteLibrary.expectedVersionNumber)") == true)
        #expect(error?.description.contains("\n") == false)
    }

    @Test func aLibraryWithoutFTS5IsRefusedInOneLine() {
        let error = #expect(throws: SQLiteLibraryMismatch.self) {
            try SQLiteLibrary.check(
                versionNumber: SQLiteLibrary.expectedVersionNumber, version: "3.54.1", hasRequiredOption: false
            )
        }
        #expect(error?.description.contains("FTS5") == true)
        #expect(error?.description.contains("\n") == false)
    }
}
