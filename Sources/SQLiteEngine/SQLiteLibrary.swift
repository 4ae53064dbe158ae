import CSQLite

/// The SQLite library is not the one the engine was built for; the description is one line.
public struct SQLiteLibraryMismatch: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// What the engine relies on in the SQLite it calls, checked before the first connection opens.
enum SQLiteLibrary {
    /// Exactly the version whose sqlite3.h our declarations (CSQLite.h) were checked against: they are
    /// C prototypes and structure layouts that no call can verify, and this SQLite is compiled into
    /// the binary, so any other version means the pinned sqlite-nio moved without them being checked.
    static let expectedVersionNumber = CSQLITE_EXPECTED_VERSION_NUMBER

    /// FTS5 serves product search (`q`, migration 008).
    static let requiredOption = "ENABLE_FTS5"

    /// Checks the SQLite linked into this binary.
    static func checkLinked() throws(SQLiteLibraryMismatch) {
        try check(
            versionNumber: sqlite_nio_sqlite3_libversion_number(),
            version: String(cString: sqlite_nio_sqlite3_libversion()),
            hasRequiredOption: sqlite_nio_sqlite3_compileoption_used(requiredOption) != 0
        )
    }

    static func check(versionNumber: Int32, version: String, hasRequiredOption: Bool) throws(SQLiteLibraryMismatch) {
        guard versionNumber == expectedVersionNumber else {
            throw SQLiteLibraryMismatch(description: """
                the SQLite library is \(version) (\(versionNumber)); this build's declarations of it were checked \
                against \(expectedVersionNumber) only (sqlite-nio 1.13.2)
                """)
        }
        guard hasRequiredOption else {
            throw SQLiteLibraryMismatch(description: "the SQLite library \(version) was built without FTS5 (SQLITE_ENABLE_FTS5), which product search needs")
        }
    }
}
