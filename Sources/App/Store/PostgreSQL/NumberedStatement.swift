import Logging
import PostgresNIO

/// The prepared statement that `StatementNames.shared` numbered `High·64 + Middle·8 + Low`.
/// postgres-nio takes a prepared statement's name and text from its type (static requirements of
/// `PostgresPreparedStatement`) and prepares it on a connection the first time the connection runs
/// it. The service's statement texts are known only at run time, so each number is a type of its
/// own, made by the compiler from three digit types rather than 512 written out. Its parameter types
/// are its bindings' (postgres-nio's default), those `StatementNames` numbered it by.
struct NumberedStatement<High: OctalDigit, Middle: OctalDigit, Low: OctalDigit>: PostgresPreparedStatement {
    static var number: Int { High.value * 64 + Middle.value * 8 + Low.value }
    static var name: String { StatementNames.shared.statement(number).name }
    static var sql: String { StatementNames.shared.statement(number).statement.sql }

    let bindings: PostgresBindings

    func makeBindings() -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) -> PostgresRow { row }
}

enum NumberedStatements {
    /// How many numbers have a type: three octal digits' worth.
    static let count = 8 * 8 * 8

    /// Runs the statement numbered `number` (below `count`) with `bindings`, as that number's type.
    static func execute(
        _ number: Int, bindings: PostgresBindings, on connection: PostgresConnection, logger: Logger
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow> {
        let high: any OctalDigit.Type = digits[number / 64]
        let middle: any OctalDigit.Type = digits[number / 8 % 8]
        let low: any OctalDigit.Type = digits[number % 8]
        return try await execute(high, middle, low, bindings: bindings, on: connection, logger: logger)
    }

    private static let digits: [any OctalDigit.Type] = [Octal0.self, Octal1.self, Octal2.self, Octal3.self,
                                                        Octal4.self, Octal5.self, Octal6.self, Octal7.self]

    /// The digits' existential types, opened.
    private static func execute<High: OctalDigit, Middle: OctalDigit, Low: OctalDigit>(
        _: High.Type, _: Middle.Type, _: Low.Type, bindings: PostgresBindings, on connection: PostgresConnection,
        logger: Logger
    ) async throws -> AsyncThrowingMapSequence<PostgresRowSequence, PostgresRow> {
        try await connection.execute(NumberedStatement<High, Middle, Low>(bindings: bindings), logger: logger)
    }
}

/// A digit of base 8 as a type.
protocol OctalDigit: Sendable { static var value: Int { get } }
enum Octal0: OctalDigit { static var value: Int { 0 } }
enum Octal1: OctalDigit { static var value: Int { 1 } }
enum Octal2: OctalDigit { static var value: Int { 2 } }
enum Octal3: OctalDigit { static var value: Int { 3 } }
enum Octal4: OctalDigit { static var value: Int { 4 } }
enum Octal5: OctalDigit { static var value: Int { 5 } }
enum Octal6: OctalDigit { static var value: Int { 6 } }
enum Octal7: OctalDigit { static var value: Int { 7 } }
