#if MySQL
/// An error from the server, the client library or the pool, classified so callers can decide
/// what it means without knowing MySQL's error numbers.
public struct MariaDBError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable {
        /// 1062: a unique index or primary key already holds the value; `message` names the key.
        case duplicateKey
        /// 1451/1452 (and the older 1216/1217): a foreign key refused the change.
        case foreignKeyViolation
        /// 1213: InnoDB chose this transaction as a deadlock victim and rolled it back; retry it.
        case deadlock
        /// 1205: a row lock was not granted within `innodb_lock_wait_timeout`; retry the transaction.
        case lockWaitTimeout
        /// The connection broke mid-use (2006 gone away, 2013 lost, 1927 killed, 1053 shutdown…);
        /// the connection is unusable and the pool discards it.
        case connectionLost
        /// A new connection could not be opened (2002/2003/2005, refused logins…).
        case connectionFailed
        /// Every connection of the pool stayed busy for the whole lease timeout.
        case poolTimeout
        /// The pool has shut down.
        case poolClosed
        /// A value of a type the driver cannot send or a column that cannot become the requested type.
        case unsupportedValue
        /// Any other error the server reported (syntax, constraint checks, …).
        case other
    }

    public let kind: Kind
    /// MySQL's error number (`mysql_errno`), 0 for the driver's own errors.
    public let code: UInt32
    /// The five-character SQLSTATE, when the server or library gave one.
    public let sqlState: String
    public let message: String
    /// The SQL text of the statement that failed (placeholders, never values), when one did.
    public internal(set) var statement: String?

    public init(kind: Kind, code: UInt32 = 0, sqlState: String = "HY000", message: String) {
        self.kind = kind
        self.code = code
        self.sqlState = sqlState
        self.message = message
    }

    /// Classifies a server or client-library error by its number.
    init(code: UInt32, sqlState: String, message: String, whileConnecting: Bool = false) {
        let kind: Kind
        switch code {
        case 1062, 1586: kind = .duplicateKey
        case 1451, 1452, 1216, 1217: kind = .foreignKeyViolation
        case 1213: kind = .deadlock
        case 1205: kind = .lockWaitTimeout
        // 2006 gone away, 2013 lost during query, 2055 lost (extended), 1927 killed (MariaDB),
        // 1053 server shutdown, 2014 commands out of sync (state unknown), 4031 idle timeout (MySQL 8).
        case 2006, 2013, 2055, 1927, 1053, 2014, 4031: kind = whileConnecting ? .connectionFailed : .connectionLost
        case 2002, 2003, 2005, 1040, 1045, 1044, 1049, 1129, 1130: kind = .connectionFailed
        default: kind = whileConnecting ? .connectionFailed : .other
        }
        self.init(kind: kind, code: code, sqlState: sqlState, message: message)
    }

    public var description: String {
        code == 0 ? "MariaDB: \(message)" : "MariaDB error \(code) (\(sqlState)): \(message)"
    }
}
#endif
