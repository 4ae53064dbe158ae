@testable import JSONSupport
import App
import Foundation
import HTTPTypes
import Testing

/// The OpenAPI document as the tests hold the service to it: every response an in-process test
/// receives must have a documented status, media type and headers' shape, and a body that matches
/// the documented schema. A request to an undocumented path must get the error body with 404, one with
/// a method its path lacks 405 with `Allow`; HEAD answers as the path's GET, without a body.
enum Contract {
    static let document: JSONValue = (try? APIDocument.parsed()) ?? .null

    /// The problems with `response` to `method uri`; empty when it keeps the contract.
    static func problems(_ method: HTTPRequest.Method, _ uri: String, _ response: APIResponse) -> [String] {
        let path = String(uri.prefix { $0 != "?" })
        // HEAD is GET without the body, on every GET route (HTTP's own rule, not listed in the document).
        if method == .head, operation(.get, path) != nil {
            let asGet = APIResponse(status: response.status, headers: response.headers, body: "")
            let problems = Self.problems(.get, uri, asGet).filter { !$0.contains("body is not JSON") }
            return response.body.isEmpty ? problems : problems + ["HEAD \(path) answered a body"]
        }
        guard let operation = operation(method, path) else {
            let error = JSONValue.object(["$ref": .string("#/components/schemas/Error")])
            let allowed = allowedMethods(path)
            if !allowed.isEmpty {
                // A documented path without this method: 405 naming the methods it has.
                guard response.status == .methodNotAllowed else { return ["\(method) \(path) answered \(response.status.code), not 405"] }
                let allow = allowed.joined(separator: ", ")
                let header = response.headers[.allow] == allow ? [] : ["\(method) \(path): Allow is not '\(allow)'"]
                return header + validateJSON(response, schema: error, context: "\(method) \(path) (not allowed)")
            }
            guard response.status == .notFound else { return ["\(method) \(path) is not documented but answered \(response.status.code)"] }
            return validateJSON(response, schema: error, context: "\(method) \(path) (undocumented)")
        }
        let context = "\(method) \(path) → \(response.status.code)"
        let documented = operation["responses"][String(response.status.code)]
        guard !documented.isNull else { return ["\(context): status not documented"] }
        let declared = resolved(documented)
        let content = declared["content"].object
        guard !content.isEmpty else { return response.body.isEmpty ? [] : ["\(context): documented without a body, got \(response.body)"] }
        let mediaType = response.headers[.contentType]?.split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        guard let media = content[mediaType] else { return ["\(context): media type '\(mediaType)' not documented"] }
        guard mediaType == "application/json" else { return [] }
        return validateJSON(response, schema: media["schema"], context: context)
    }

    /// The methods a concrete path answers, sorted, with HEAD wherever there is GET; none for an unknown path.
    static func allowedMethods(_ path: String) -> [String] {
        guard let item = pathItem(path) else { return [] }
        let methods = ["get", "post", "put", "patch", "delete"].filter { !item[$0].isNull }.map { $0.uppercased() }
        return (methods + (methods.contains("GET") ? ["HEAD"] : [])).sorted()
    }

    /// The documented operation for a concrete path; literal segments win over `{parameters}`.
    static func operation(_ method: HTTPRequest.Method, _ path: String) -> JSONValue? {
        let operation = pathItem(path)?[method.rawValue.lowercased()]
        return operation?.isNull == false ? operation : nil
    }

    private static func pathItem(_ path: String) -> JSONValue? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        let matches = document["paths"].object.filter { template, _ in
            let parts = template.split(separator: "/", omittingEmptySubsequences: false)
            return parts.count == segments.count && zip(parts, segments).allSatisfy { part, segment in
                part == segment || (part.hasPrefix("{") && part.hasSuffix("}") && !segment.isEmpty)
            }
        }
        return matches.min { $0.key.filter { $0 == "{" }.count < $1.key.filter { $0 == "{" }.count }?.value
    }

    private static func validateJSON(_ response: APIResponse, schema: JSONValue, context: String) -> [String] {
        guard let body = try? JSONValue(parsing: response.body.utf8) else {
            return ["\(context): body is not JSON: \(response.body.prefix(200))"]
        }
        return SchemaValidator(document: document).errors(body, schema, at: "$").map { "\(context): \($0)" }
    }

    static func resolved(_ value: JSONValue) -> JSONValue {
        value["$ref"].string.map { document.resolving(pointer: $0) } ?? value
    }

    /// Every example in `document` with the schema it illustrates, named by its JSON pointer: the
    /// `example` of a media type or parameter (beside its `schema`), and each of a schema's `examples`.
    static func examples(in document: JSONValue) -> [(location: String, value: JSONValue, schema: JSONValue)] {
        var found: [(location: String, value: JSONValue, schema: JSONValue)] = []
        func walk(_ value: JSONValue, at location: String) {
            switch value {
            case .object(let object):
                if let example = object["example"], let schema = object["schema"] {
                    found.append(("\(location)/example", example, schema))
                }
                if case .array(let examples)? = object["examples"] {
                    for (index, example) in examples.enumerated() { found.append(("\(location)/examples/\(index)", example, value)) }
                }
                // Examples are values, not parts of the document: nothing in them is walked.
                for (key, member) in object where key != "example" && key != "examples" { walk(member, at: "\(location)/\(key)") }
            case .array(let items):
                for (index, item) in items.enumerated() { walk(item, at: "\(location)/\(index)") }
            case .null, .bool, .number, .string:
                break
            }
        }
        walk(document, at: "#")
        return found
    }
}

/// The part of JSON Schema 2020-12 the document uses, checked exactly (decimal numbers, lengths in
/// Unicode code points as the standard counts them).
struct SchemaValidator {
    let document: JSONValue

    func errors(_ value: JSONValue, _ schema: JSONValue, at path: String) -> [String] {
        if schema == .bool(true) { return [] }
        if schema == .bool(false) { return ["\(path): no value is allowed"] }
        var errors: [String] = []
        if let pointer = schema["$ref"].string {
            let target = document.resolving(pointer: pointer)
            if target.isNull { errors.append("\(path): unresolvable \(pointer)") }
            errors += self.errors(value, target, at: path)
        }
        errors += typeErrors(value, schema, at: path)
        if !schema["enum"].isNull, !schema["enum"].array.contains(value) { errors.append("\(path): \(value) not in enum") }
        if !schema["const"].isNull, schema["const"] != value { errors.append("\(path): \(value) is not \(schema["const"])") }
        switch value {
        case .string(let string): errors += stringErrors(string, schema, at: path)
        case .number(let number): errors += numberErrors(number.decimal ?? .nan, schema, at: path)
        case .array(let items): errors += arrayErrors(items, schema, at: path)
        case .object(let object): errors += objectErrors(object, schema, at: path)
        case .null, .bool: break
        }
        for part in schema["allOf"].array { errors += self.errors(value, part, at: path) }
        if !schema["anyOf"].isNull, !schema["anyOf"].array.contains(where: { self.errors(value, $0, at: path).isEmpty }) {
            errors.append("\(path): matches none of anyOf")
        }
        if !schema["oneOf"].isNull {
            let matching = schema["oneOf"].array.filter { self.errors(value, $0, at: path).isEmpty }.count
            if matching != 1 { errors.append("\(path): matches \(matching) of oneOf, not exactly one") }
        }
        if !schema["not"].isNull, self.errors(value, schema["not"], at: path).isEmpty { errors.append("\(path): matches `not`") }
        return errors
    }

    private func typeErrors(_ value: JSONValue, _ schema: JSONValue, at path: String) -> [String] {
        let types: [String] = switch schema["type"] {
        case .string(let type): [type]
        case .array(let types): types.compactMap(\.string)
        default: []
        }
        guard !types.isEmpty else { return [] }
        let matches = types.contains { type in
            switch (type, value) {
            case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
                 ("number", .number): true
            case ("integer", .number(let number)): number.decimal.map { $0 == $0.rounded() } ?? false
            default: false
            }
        }
        return matches ? [] : ["\(path): \(value) is not of type \(types.joined(separator: " or "))"]
    }

    private func stringErrors(_ string: String, _ schema: JSONValue, at path: String) -> [String] {
        var errors: [String] = []
        let length = string.unicodeScalars.count
        if let minimum = schema["minLength"].int, length < minimum { errors.append("\(path): shorter than \(minimum)") }
        if let maximum = schema["maxLength"].int, length > maximum { errors.append("\(path): longer than \(maximum)") }
        if let pattern = schema["pattern"].string, !Self.matches(string, pattern) {
            errors.append("\(path): '\(string)' does not match \(pattern)")
        }
        switch schema["format"].string {
        case "date-time" where (try? Date.ISO8601FormatStyle().parse(string)) == nil:
            errors.append("\(path): '\(string)' is not a date-time")
        case "date" where !Self.isFullDate(string):
            errors.append("\(path): '\(string)' is not a date")
        case "email" where !string.contains("@"):
            errors.append("\(path): '\(string)' is not an email address")
        default: break
        }
        return errors
    }

    /// JSON Schema's `pattern`: an ECMA-262 regular expression, found anywhere in the string. Its `$` is
    /// the end of the string; ICU's `$` also matches before a final line break, so a final `$` is read as `\z`.
    static func matches(_ string: String, _ pattern: String) -> Bool {
        let icuPattern = pattern.hasSuffix("$") && !pattern.hasSuffix("\\$") ? String(pattern.dropLast()) + "\\z" : pattern
        guard let regex = try? NSRegularExpression(pattern: icuPattern) else { return false }
        return regex.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)) != nil
    }

    /// RFC 3339's `full-date`: `YYYY-MM-DD` naming a day of the Gregorian calendar, from year 0001.
    static func isFullDate(_ string: String) -> Bool {
        guard let match = string.wholeMatch(of: /([0-9]{4})-([0-9]{2})-([0-9]{2})/),
              let year = Int(match.1), let month = Int(match.2), let day = Int(match.3), year >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...12).contains(month) && (1...days[month - 1]).contains(day)
    }

    private func numberErrors(_ number: Decimal, _ schema: JSONValue, at path: String) -> [String] {
        var errors: [String] = []
        if let minimum = schema["minimum"].decimal, number < minimum { errors.append("\(path): \(number) below \(minimum)") }
        if let maximum = schema["maximum"].decimal, number > maximum { errors.append("\(path): \(number) above \(maximum)") }
        if let step = schema["multipleOf"].decimal {
            let quotient = number / step
            if quotient != quotient.rounded() { errors.append("\(path): \(number) is not a multiple of \(step)") }
        }
        return errors
    }

    private func arrayErrors(_ items: [JSONValue], _ schema: JSONValue, at path: String) -> [String] {
        var errors: [String] = []
        if let minimum = schema["minItems"].int, items.count < minimum { errors.append("\(path): fewer than \(minimum) items") }
        if let maximum = schema["maxItems"].int, items.count > maximum { errors.append("\(path): more than \(maximum) items") }
        if schema["uniqueItems"].bool == true, Set(items.map { "\($0)" }).count != items.count {
            errors.append("\(path): items are not unique")
        }
        if !schema["items"].isNull {
            for (index, item) in items.enumerated() { errors += self.errors(item, schema["items"], at: "\(path)[\(index)]") }
        }
        return errors
    }

    private func objectErrors(_ object: [String: JSONValue], _ schema: JSONValue, at path: String) -> [String] {
        var errors: [String] = []
        for key in schema["required"].array.compactMap(\.string) where object[key] == nil {
            errors.append("\(path): missing required '\(key)'")
        }
        let properties = schema["properties"].object
        for (key, value) in object {
            if let property = properties[key] {
                errors += self.errors(value, property, at: "\(path).\(key)")
            } else if !schema["additionalProperties"].isNull {
                errors += self.errors(value, schema["additionalProperties"], at: "\(path).\(key)")
            }
        }
        return errors
    }
}

private extension Decimal {
    func rounded() -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, 0, .plain)
        return result
    }
}
