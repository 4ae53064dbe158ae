/// The shop's currency: an ISO 4217 code whose minor unit is a hundredth, as every amount here is
/// kept in cents. Currencies with other minor units (JPY's none, KWD's thousandths) are refused
/// rather than priced wrongly.
public struct Currency: Sendable, Equatable, CustomStringConvertible {
    public let code: String

    public static let standard = Currency(checked: "USD")

    /// Nil unless `code` is an active ISO 4217 code with two decimal places.
    public init?(code: String) {
        guard Self.twoDecimalCodes.contains(code) else { return nil }
        self.code = code
    }

    private init(checked code: String) {
        self.code = code
    }

    public var description: String { code }

    /// ISO 4217's active currencies with a minor unit of 2.
    static let twoDecimalCodes: Set<String> = [
        "AED", "AFN", "ALL", "AMD", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BMD", "BND", "BOB",
        "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHF", "CNY", "COP", "CRC", "CUP", "CVE", "CZK", "DKK",
        "DOP", "DZD", "EGP", "ERN", "ETB", "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GTQ", "GYD", "HKD",
        "HNL", "HTG", "HUF", "IDR", "ILS", "INR", "IRR", "JMD", "KES", "KGS", "KHR", "KPW", "KYD", "KZT", "LAK", "LBP",
        "LKR", "LRD", "LSL", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU", "MUR", "MVR", "MWK", "MXN", "MYR",
        "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "PAB", "PEN", "PGK", "PHP", "PKR", "PLN", "QAR", "RON", "RSD",
        "RUB", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD", "SHP", "SLE", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL",
        "THB", "TJS", "TMT", "TOP", "TRY", "TTD", "TWD", "TZS", "UAH", "USD", "UYU", "UZS", "VED", "VES", "WST", "XCD", "XCG", "YER", "ZAR",
        "ZMW", "ZWG",
    ]
}
