#if MySQL
import SQLKit

/// MySQL's and MariaDB's SQL as SQLKit writes it: backtick identifiers, `?` placeholders,
/// `AUTO_INCREMENT`, no `RETURNING` (ids come from `LAST_INSERT_ID()`), `FOR UPDATE` locks and
/// `ON DUPLICATE KEY UPDATE` upserts.
public struct MariaDBDialect: SQLDialect {
    public init() {}

    public var name: String { "mysql" }
    public var identifierQuote: any SQLExpression { SQLRaw("`") }
    public var literalStringQuote: any SQLExpression { SQLRaw("'") }
    public func bindPlaceholder(at position: Int) -> any SQLExpression { SQLRaw("?") }
    public func literalBoolean(_ value: Bool) -> any SQLExpression { SQLRaw(value ? "TRUE" : "FALSE") }
    public var supportsAutoIncrement: Bool { true }
    public var autoIncrementClause: any SQLExpression { SQLRaw("AUTO_INCREMENT") }
    public var supportsIfExists: Bool { true }
    public var enumSyntax: SQLEnumSyntax { .inline }
    /// MariaDB 10.5 has `INSERT … RETURNING` but neither it nor MySQL has `UPDATE … RETURNING`.
    public var supportsReturning: Bool { false }
    public var alterTableSyntax: SQLAlterTableSyntax {
        .init(alterColumnDefinitionClause: SQLRaw("MODIFY COLUMN"), alterColumnDefinitionTypeKeyword: nil, allowsBatch: true)
    }
    public var upsertSyntax: SQLUpsertSyntax { .mysqlLike }
    public var unionFeatures: SQLUnionFeatures { [.union, .unionAll, .explicitDistinct, .parenthesizedSubqueries] }
    public var sharedSelectLockExpression: (any SQLExpression)? { SQLRaw("LOCK IN SHARE MODE") }
    public var exclusiveSelectLockExpression: (any SQLExpression)? { SQLRaw("FOR UPDATE") }

    /// Types that mean something else, or nothing, in MySQL:
    /// - text is utf8mb4 (4-byte characters) with the binary collation, so comparisons and unique
    ///   indexes are case- and accent-sensitive as in PostgreSQL and SQLite;
    /// - timestamps are `DATETIME(6)`: microseconds, no time-zone conversion and no 2038 limit
    ///   (MySQL's TIMESTAMP has all three problems);
    /// - `REAL` is single precision in MySQL only under an SQL mode, so it is `DOUBLE`.
    public func customDataType(for dataType: SQLDataType) -> (any SQLExpression)? {
        switch dataType {
        case .text: SQLRaw("TEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin")
        case .real: SQLRaw("DOUBLE")
        case .blob: SQLRaw("LONGBLOB")
        case .custom(let expression as SQLRaw) where expression.sql.uppercased() == "TIMESTAMP": SQLRaw("DATETIME(6)")
        default: nil
        }
    }

    public func nestedSubpathExpression(in column: any SQLExpression, for path: [String]) -> (any SQLExpression)? {
        guard !path.isEmpty else { return nil }
        return SQLFunction("json_extract", args: column, SQLLiteral.string("$." + path.joined(separator: ".")))
    }
}
#endif
