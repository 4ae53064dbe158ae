/// A failed SQLite call: its extended result code and SQLite's message.
public struct SQLiteDriverError: Error, CustomStringConvertible, Sendable {
    /// The extended result code, e.g. 2067 for a UNIQUE constraint.
    public let code: Int32
    public let message: String

    /// The primary result code (`SQLITE_BUSY`, `SQLITE_CONSTRAINT`, …): the extended code's low byte.
    public var primaryCode: Int32 { code & 0xFF }

    public var description: String { "SQLite error \(code): \(message)" }

    public static let closed = SQLiteDriverError(code: SQLiteResultCode.misuse, message: "the connection is closed")
}

/// SQLite's result codes that the store tells apart.
public enum SQLiteResultCode {
    public static let busy: Int32 = 5
    public static let locked: Int32 = 6
    public static let constraint: Int32 = 19
    public static let constraintForeignKey: Int32 = 787
    public static let constraintPrimaryKey: Int32 = 1555
    public static let constraintUnique: Int32 = 2067

    static let ok: Int32 = 0
    static let ioError: Int32 = 10
    static let misuse: Int32 = 21
    static let row: Int32 = 100
    static let done: Int32 = 101
}
