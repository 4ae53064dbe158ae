import CSQLite

/// A failed SQLite call: its extended result code and SQLite's message.
public struct SQLiteEngineError: Error, CustomStringConvertible, Sendable {
    /// The extended result code, e.g. `SQLiteResultCode.constraintUnique`.
    public let code: Int32
    public let message: String

    /// The primary result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, …): the extended code's low byte.
    public var primaryCode: Int32 { code & CSQLITE_PRIMARY_CODE_MASK }

    public var description: String { "SQLite error \(code): \(message)" }

    static let closed = SQLiteEngineError(code: SQLiteResultCode.misuse, message: "the connection is closed")
}

/// SQLite's result codes that the engine and its users tell apart.
public enum SQLiteResultCode {
    public static let busy = CSQLITE_BUSY
    public static let locked = CSQLITE_LOCKED
    static let constraint = CSQLITE_CONSTRAINT
    public static let constraintForeignKey = CSQLITE_CONSTRAINT_FOREIGNKEY
    public static let constraintPrimaryKey = CSQLITE_CONSTRAINT_PRIMARYKEY
    public static let constraintUnique = CSQLITE_CONSTRAINT_UNIQUE
    static let misuse = CSQLITE_MISUSE

    static let ok = CSQLITE_OK
    static let row = CSQLITE_ROW
    static let done = CSQLITE_DONE
}
