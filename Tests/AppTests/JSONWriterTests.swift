@testable import App
@testable import JSONSupport
import Foundation
import Testing

/// Response bodies are written by `JSONWriter`; these pin that it writes what `JSONEncoder` wrote
/// before it (dates to the second in UTC; money in MoneyTests) and valid JSON for any text.
@Suite struct JSONWriterTests {
    @Test func datesAreWrittenAsFoundationWritesThem() {
        var random = SystemRandomNumberGenerator()
        let samples = [0, -1, 59, 951_782_400, 4_107_542_400, 1_764_115_200.999, 253_402_300_799]
            + (0..<2_000).map { _ in Double(Int64.random(in: -2_208_988_800...4_102_444_800, using: &random)) + 0.5 }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            let foundation = date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!))
            #expect(JSONWriter.bytes(of: date) == Array("\"\(foundation)\"".utf8), "\(seconds)")
            // An order's default date is the day of its placing, the same day the timestamp names.
            #expect(date.iso8601Day == String(foundation.prefix(10)), "\(seconds)")
        }
    }

    @Test func integersAreWrittenInDecimal() {
        for value in [0, 7, -7, 10, 99, 100, -100, 1_234_567_890, Int64.max, Int64.min] as [Int64] {
            #expect(JSONWriter.bytes(of: value) == Array(String(value).utf8))
        }
    }

    @Test func textOfEveryKindRoundTripsThroughAJSONParser() throws {
        let texts = ["plain", "quote \" and \\ backslash", "line\nbreak\ttab\r", "\u{0}\u{1}\u{1F}\u{7F}", "emoji 🦄 and é", "</script>"]
        for text in texts {
            let written = JSONWriter.bytes(of: ["key \"\(text)\"": [text]])
            let parsed = try JSONDecoder().decode([String: [String]].self, from: Data(written))
            #expect(parsed == ["key \"\(text)\"": [text]])
        }
    }

    @Test func absentOptionalsAreNullAndObjectsKeepTheirFieldOrder() {
        let movement = StockMovement(id: 1, productID: 2, delta: -3, quantityAfter: 7, kind: .adjustment, reason: nil,
                                     orderID: nil, createdAt: Date(timeIntervalSince1970: 0))
        #expect(String(decoding: JSONWriter.bytes(of: StockMovementResponse(movement)), as: UTF8.self) == """
            {"id":1,"product_id":2,"delta":-3,"quantity_after":7,"kind":"adjustment","reason":null,"order_id":null,\
            "created_at":"1970-01-01T00:00:00Z"}
            """)
    }
}
