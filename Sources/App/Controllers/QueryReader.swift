import JSONSupport
import Foundation
import Hummingbird

/// Reads query parameters and collects every invalid one, as `FieldReader` does for bodies. The
/// query string is decoded here, for every route: `+` is a space (the form encoding browsers and
/// client libraries send) and `%2B` a plus; a parameter that is not percent-encoded UTF-8 or that
/// holds a NUL (which no stored text can contain) is refused by name.
struct QueryReader {
    private var parameters: [String: String] = [:]
    private(set) var problems: FieldProblems = [:]

    init(_ request: Request) {
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let equals = pair.firstIndex(of: "=") ?? pair.endIndex
            let rawKey = pair[..<equals], rawValue = equals == pair.endIndex ? "" : pair[pair.index(after: equals)...]
            let key = Self.formDecoded(rawKey) ?? String(rawKey)
            // A repeated parameter counts once, as first given.
            guard parameters[key] == nil, problems[key] == nil else { continue }
            guard let value = Self.formDecoded(rawValue) else {
                problems[key] = ["must be percent-encoded UTF-8"]
                continue
            }
            guard !value.unicodeScalars.contains("\u{0}") else {
                problems[key] = ["must not contain NUL characters"]
                continue
            }
            parameters[key] = value
        }
    }

    /// A part of a query or a URL-encoded form, decoded; nil when it is not percent-encoded UTF-8.
    static func formDecoded(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    /// A problem found by a rule over several parameters.
    mutating func report(_ key: String, _ message: String) {
        problems[key, default: []].append(message)
    }

    func string(_ key: String) -> String? {
        parameters[key]
    }

    mutating func integer(_ key: String, in range: ClosedRange<Int64>) -> Int64? {
        guard let text = string(key) else { return nil }
        guard let value = Int64(text), text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "-") }) else {
            problems[key, default: []].append("must be an integer")
            return nil
        }
        guard range.contains(value) else {
            problems[key, default: []].append("must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func money(_ key: String) -> Money? {
        guard let text = string(key) else { return nil }
        guard text.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let number = JSONNumber(text),
              let money = Money(exactly: number), ProductRules.price.contains(money)
        else {
            problems[key, default: []].append("must be an amount from 0 to 1000000000 with at most two decimals")
            return nil
        }
        return money
    }

    mutating func bool(_ key: String) -> Bool? {
        switch string(key) {
        case nil: return nil
        case "true": return true
        case "false": return false
        default:
            problems[key, default: []].append("must be true or false")
            return nil
        }
    }

    /// One of an enumeration's raw values.
    mutating func choice<Value: RawRepresentable<String> & CaseIterable>(_ key: String) -> Value? {
        guard let text = string(key) else { return nil }
        guard let value = Value(rawValue: text) else {
            problems[key, default: []].append("must be one of " + Value.allCases.map(\.rawValue).joined(separator: ", "))
            return nil
        }
        return value
    }

    /// `limit` (1–200, default 50) and the `after_id` cursor of every list.
    mutating func page() -> PageRequest {
        let limits = PageRequest.limitRange
        let limit = integer("limit", in: Int64(limits.lowerBound)...Int64(limits.upperBound))
        let afterID = integer("after_id", in: 0...Int64.max)
        return PageRequest(limit: limit.map(Int.init) ?? PageRequest.defaultLimit, afterID: afterID)
    }

    /// The page of a list that takes no other query parameters.
    static func page(of request: Request) throws(AppError) -> PageRequest {
        var query = QueryReader(request)
        let page = query.page()
        try query.finish()
        return page
    }

    func finish() throws(AppError) {
        if !problems.isEmpty { throw .validation(problems) }
    }
}
