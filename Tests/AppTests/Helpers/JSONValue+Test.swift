import Foundation

extension Decimal {
    /// An exact decimal from its text, for comparing money: `Decimal(exactly: "39.98")`.
    init(exactly text: String) {
        self = Decimal(string: text) ?? .nan
    }
}
