import Foundation
import JSONSupport

/// A form as a browser posts it (`application/x-www-form-urlencoded`). Its fields become the JSON
/// body the API's request types read, so the console is held to the very same rules and messages.
struct ConsoleForm: Sendable {
    static let mediaType = "application/x-www-form-urlencoded"

    private(set) var fields: [String: String] = [:]

    /// Later fields of the same name win, as they would in a JSON object.
    init(urlEncoded text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = QueryReader.formDecoded(parts[0]) else { continue }
            fields[name] = parts.count == 2 ? QueryReader.formDecoded(parts[1]) ?? "" : ""
        }
    }

    init(fields: [String: String]) {
        self.fields = fields
    }

    subscript(_ name: String) -> String? { fields[name] }

    /// The named fields as a JSON object. An empty field is left out, as a client leaves out what it
    /// does not send, or is null when it is `clearable` (an optional field emptied on purpose); a field
    /// in `numbers` goes as a JSON number when its text is one, else as the text, which the request
    /// type then refuses with its own message.
    func json(_ names: [String], numbers: Set<String> = [], clearable: Set<String> = []) -> JSONValue {
        var object: [String: JSONValue] = [:]
        for name in names {
            guard let raw = fields[name] else { continue }
            let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !text.isEmpty else {
                if clearable.contains(name) { object[name] = .null }
                continue
            }
            if numbers.contains(name), case .number(let number)? = try? JSONValue(parsing: Array(text.utf8)) {
                object[name] = .number(number)
            } else {
                // Text goes as typed (a password's spaces are part of it); the rules judge the rest.
                object[name] = .string(raw)
            }
        }
        return .object(object)
    }
}
