@testable import App
@testable import JSONSupport
import Foundation
import Testing

@Suite struct MoneyTests {
    @Test(arguments: [("0.1", 10), ("19.99", 1999), ("40.28", 4028), ("1e2", 10000), ("0", 0), ("999.90", 99990),
                      ("19.990000000000000000000000000000000000000", 1999), ("1999e-2", 1999)])
    func exactDecimalsBecomeCents(text: String, cents: Int64) throws {
        #expect(Money(exactly: try #require(JSONNumber(text)))?.cents == cents)
    }

    @Test(arguments: ["19.999", "0.001", "1e-3", "99999999999999999999999", "19.990000000000000000000000000000000000001",
                      "1e20", "1e-400", "92233720368547758.08"])
    func moreThanTwoDecimalsOrOverflowAreRefused(text: String) throws {
        #expect(Money(exactly: try #require(JSONNumber(text))) == nil)
    }

    @Test func wholeNumbersWithin64BitsAreIntegers() throws {
        for (text, integer) in [("0", 0), ("1.0", 1), ("1e3", 1000), ("-42", -42), ("9223372036854775807", Int64.max),
                                ("-9223372036854775808", Int64.min), ("1.0000000000000000000000000000000000000000", 1)] as [(String, Int64)] {
            #expect(try #require(JSONNumber(text)).scaled(by: 0) == .exact(integer))
        }
        for text in ["1.5", "0.001", "9223372036854775808", "-9223372036854775809", "1e127", "-1e127", "1e-127",
                     "1.0000000000000000000000000000000000000001"] {
            guard case .exact = try #require(JSONNumber(text)).scaled(by: 0) else { continue }
            Issue.record("\(text) read as an integer")
        }
    }

    @Test func amountsAreWrittenAsShortDecimals() throws {
        for (cents, text) in [(4028, "40.28"), (10, "0.1"), (30, "0.3"), (100_000_000_000, "1000000000"), (5, "0.05"),
                              (0, "0"), (-150, "-1.5"), (-5, "-0.05"), (Int(Int64.min), "-92233720368547758.08")] {
            let json = String(decoding: JSONWriter.bytes(of: [Money(cents: Int64(cents))]), as: UTF8.self)
            #expect(json == "[\(text)]")
            #expect(Money(cents: Int64(cents)).description == text)
        }
    }

    @Test func arithmeticIsExact() {
        #expect(Money(cents: 10) * 3 == Money(cents: 30))
        #expect(Money(cents: 1999) * 2 + Money(cents: 30) == Money(cents: 4028))
    }
}
