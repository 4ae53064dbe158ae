import JSONSupport

extension JSONValue {
    /// The value as JSON text for people: members by key (a parsed object keeps no order), numbers
    /// exactly as the document wrote them. `indent` nil writes it on one line.
    func json(indent: String?, depth: Int = 0) -> String {
        switch self {
        case .null: return "null"
        case .bool(let bool): return "\(bool)"
        case .number(let number): return number.description
        case .string(let string): return String(decoding: JSONWriter.bytes(of: string), as: UTF8.self)
        case .array(let items):
            return Self.enclose(items.map { $0.json(indent: indent, depth: depth + 1) }, in: ("[", "]"), indent: indent, depth: depth)
        case .object(let members):
            let written = members.sorted { $0.key < $1.key }.map { key, value in
                "\(JSONValue.string(key).json(indent: nil)): \(value.json(indent: indent, depth: depth + 1))"
            }
            return Self.enclose(written, in: ("{", "}"), indent: indent, depth: depth)
        }
    }

    private static func enclose(_ items: [String], in brackets: (String, String), indent: String?, depth: Int) -> String {
        guard !items.isEmpty else { return brackets.0 + brackets.1 }
        guard let indent else { return brackets.0 + items.joined(separator: ", ") + brackets.1 }
        let inner = "\n" + String(repeating: indent, count: depth + 1)
        return brackets.0 + inner + items.joined(separator: "," + inner) + "\n" + String(repeating: indent, count: depth) + brackets.1
    }
}
