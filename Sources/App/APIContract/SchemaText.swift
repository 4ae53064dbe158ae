import Foundation
import JSONSupport

/// Schemas in words for the reference page. A schema is read with its `$ref` followed and its
/// `allOf` parts merged, so a field shows every constraint that applies to it wherever the document
/// states it; every form (`oneOf`, `anyOf`, `not`, `const`, `enum`, type arrays) reads as something,
/// never as an empty list. Handles the forms, not the document's names.
struct SchemaText {
    let document: JSONValue

    /// How deep nested fields are listed (`items[].product_id` is one level): a recursive schema stops here.
    private static let nestingLimit = 4

    // MARK: Fields

    /// A request body or a component schema: its fields (nested ones too), the alternatives of a
    /// `oneOf` or `anyOf` each with its own details, what else it requires, or its summary when it has
    /// no fields. `expanding` details alternatives that are named schemas too (a body shows every
    /// field in place; a schema's own section links to the others).
    func details(of schema: JSONValue, expanding: Bool, depth: Int = 0) -> String {
        let rows = fields(of: schema)
        let object = merged(schema)
        var alternatives: [String] = []
        for (keyword, heading) in [("oneOf", "Exactly one of"), ("anyOf", "At least one of")] {
            let forms = object[keyword].array.map { form in
                (form, depth < Self.nestingLimit && (expanding || name(of: form) == nil) && !fields(of: form).isEmpty)
            }
            guard !forms.isEmpty, !rows.isEmpty || forms.contains(where: { $0.1 }) else { continue }
            alternatives.append("<p>\(heading):</p>" + HTML.list(forms.map { form, detailed in
                summary(of: form) + (detailed ? "\n" + details(of: form, expanding: expanding, depth: depth + 1) : "")
            }))
        }
        if rows.isEmpty { return alternatives.isEmpty ? "<p>\(words(for: schema))</p>" : alternatives.joined(separator: "\n") }
        let rest = constraints(of: object, composition: false)
        return ([table(rows)] + alternatives + (rest.isEmpty ? [] : ["<p>\(rest.joined(separator: ", "))</p>"])).joined(separator: "\n")
    }

    private struct Field {
        let name: String
        let kind: String
        let required: Bool
        let constraints: [String]
        let description: String
    }

    /// The object's fields by name, each followed by its own fields (`owner.id`, `items[].quantity`).
    private func fields(of schema: JSONValue, prefix: String = "", depth: Int = 0) -> [Field] {
        let object = merged(schema)
        let required = Set(object["required"].array.compactMap(\.string))
        return object["properties"].object.sorted { $0.key < $1.key }.flatMap { name, property in
            let field = merged(property)
            let row = Field(name: prefix + name, kind: kind(of: property) ?? "any value", required: required.contains(name),
                            constraints: constraints(of: field), description: description(of: field))
            guard depth < Self.nestingLimit else { return [row] }
            let nested = field["properties"].isNull
                ? fields(of: field["items"], prefix: prefix + name + "[].", depth: depth + 1)
                : fields(of: property, prefix: prefix + name + ".", depth: depth + 1)
            return [row] + nested
        }
    }

    private func table(_ fields: [Field]) -> String {
        HTML.table(["Field", "Type", "Required", "Constraints", "Description"], fields.map { field in
            [HTML.code(field.name), field.kind, field.required ? "yes" : "no", field.constraints.joined(separator: ", "), field.description]
        }, class: "fields")
    }

    private func description(of field: Merged) -> String {
        var text = HTML.markdown(field["description"].string ?? "")
        let example = field["examples"].array.first ?? field["example"]
        if !example.isNull { text += "<p>Example: \(HTML.code(example.json(indent: nil)))</p>" }
        return text
    }

    // MARK: Words

    /// A schema in a few words: a link for a named schema, otherwise its kind and constraints
    /// ("string or null, 1–255 characters"); "any value" when it says nothing.
    func summary(of schema: JSONValue) -> String {
        name(of: schema).map(link) ?? words(for: schema)
    }

    /// The name of the component schema that this schema is a bare reference to.
    private func name(of schema: JSONValue) -> String? {
        guard schema.keys == ["$ref"] else { return nil }
        return schema["$ref"].string.flatMap(Self.componentName)
    }

    private func words(for schema: JSONValue) -> String {
        switch schema {
        case .bool(true): return "any value"
        case .bool(false): return "no value"
        default:
            let words = [kind(of: schema)].compactMap { $0 } + constraints(of: merged(schema))
            return words.isEmpty ? "any value" : words.joined(separator: ", ")
        }
    }

    /// What kind of value: "integer (Id)", "string or null", "array of Line", "A or B"; nil when the
    /// schema does not say (`{"required": ["items"]}`).
    private func kind(of schema: JSONValue) -> String? {
        let value = merged(schema)
        var kinds = Self.types(value).map { type in
            type == "array" && !value["items"].isNull ? "array of \(kind(of: value["items"]) ?? "any value")" : type
        }
        if kinds.isEmpty, let alternatives = Self.composition(value) {
            kinds = value[alternatives].array.map(summary(of:))
        }
        let text = kinds.joined(separator: " or ")
        guard !value.names.isEmpty else { return text.isEmpty ? nil : text }
        let names = value.names.map(link).joined(separator: ", ")
        return text.isEmpty || text == "object" ? names : "\(text) (\(names))"
    }

    /// The constraints on a value, in words; `composition` false leaves out `oneOf` and `anyOf`
    /// (shown as lists of alternatives instead).
    private func constraints(of schema: Merged, composition: Bool = true) -> [String] {
        var words: [String] = []
        if let format = schema["format"].string { words.append("format \(HTML.code(format))") }
        if !schema["enum"].isNull { words.append("one of " + schema["enum"].array.map { HTML.code(Self.literal($0)) }.joined(separator: ", ")) }
        if !schema["const"].isNull { words.append("always \(HTML.code(Self.literal(schema["const"])))") }
        if let range = Self.range(schema["minLength"], schema["maxLength"]) { words.append("\(range) characters") }
        if let range = Self.range(schema["minimum"], schema["maximum"]) { words.append(range) }
        if let low = schema["exclusiveMinimum"].decimal { words.append("more than \(low)") }
        if let high = schema["exclusiveMaximum"].decimal { words.append("less than \(high)") }
        if let range = Self.range(schema["minItems"], schema["maxItems"]) { words.append("\(range) items") }
        if schema["uniqueItems"].bool == true { words.append("no duplicates") }
        if let range = Self.range(schema["minProperties"], schema["maxProperties"]) { words.append("\(range) fields") }
        if let step = schema["multipleOf"].decimal { words.append("in steps of \(step)") }
        words += schema.patterns.map { "pattern \(HTML.code($0))" }
        if schema["properties"].isNull, !schema["required"].array.isEmpty { words.append("with \(Self.names(schema["required"]))") }
        if !schema["not"].isNull { words.append(negation(schema["not"])) }
        switch schema["additionalProperties"] {
        case .null, .bool(true): break
        case .bool(false): words.append("no other fields")
        case let values: words.append("any field names, each value \(summary(of: values))")
        }
        // Without a type, the alternatives are the value's kind (`kind(of:)`).
        if composition, !Self.types(schema).isEmpty {
            for (keyword, heading) in [("oneOf", "exactly one of"), ("anyOf", "at least one of")] where !schema[keyword].array.isEmpty {
                words.append("\(heading): " + schema[keyword].array.map(summary(of:)).joined(separator: "; "))
            }
        }
        if schema["properties"].isNull, !schema["items"].isNull, merged(schema["items"])["properties"].isNull {
            let each = constraints(of: merged(schema["items"]))
            if !each.isEmpty { words.append("each " + each.joined(separator: ", ")) }
        }
        if !schema["default"].isNull { words.append("default \(HTML.code(Self.literal(schema["default"])))") }
        return words
    }

    private func negation(_ schema: JSONValue) -> String {
        switch schema.keys {
        case ["required"]: "without \(Self.names(schema["required"]))"
        case ["const"]: "never \(HTML.code(Self.literal(schema["const"])))"
        case ["enum"]: "none of " + schema["enum"].array.map { HTML.code(Self.literal($0)) }.joined(separator: ", ")
        default: "not \(summary(of: schema))"
        }
    }

    private func link(_ name: String) -> String {
        "<a href=\"#schema-\(HTML.escape(name))\">\(HTML.escape(name))</a>"
    }

    /// The types a schema names, `["string", "null"]` for a nullable string; inferred from `const`,
    /// `enum` or `properties` when it names none.
    private static func types(_ schema: Merged) -> [String] {
        switch schema["type"] {
        case .string(let type): return [type]
        case .array(let types): return types.compactMap(\.string)
        default: break
        }
        let values = schema["const"].isNull ? schema["enum"].array : [schema["const"]]
        if !values.isEmpty { return values.map(jsonType).reduce(into: []) { if !$0.contains($1) { $0.append($1) } } }
        return schema["properties"].isNull ? [] : ["object"]
    }

    /// The `oneOf` or `anyOf` that says what a value is when nothing else does.
    private static func composition(_ schema: Merged) -> String? {
        ["oneOf", "anyOf"].first { !schema[$0].array.isEmpty }
    }

    private static func jsonType(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .number: value.int == nil ? "number" : "integer"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    private static func names(_ list: JSONValue) -> String {
        list.array.compactMap(\.string).map(HTML.code).joined(separator: ", ")
    }

    /// A value as it is written in the document: strings bare (`""` for the empty one), the rest as JSON.
    private static func literal(_ value: JSONValue) -> String {
        guard let string = value.string, !string.isEmpty else { return value.json(indent: nil) }
        return string
    }

    private static func range(_ low: JSONValue, _ high: JSONValue) -> String? {
        switch (low.decimal, high.decimal) {
        case let (low?, high?): "\(low)–\(high)"
        case let (low?, nil): "\(low) or more"
        case let (nil, high?): "at most \(high)"
        case (nil, nil): nil
        }
    }

    /// The schema's name when a pointer names a component schema whole (`#/components/schemas/Id`).
    static func componentName(_ pointer: String) -> String? {
        let tokens = pointer.split(separator: "/", omittingEmptySubsequences: false)
        guard tokens.count == 4, tokens[0] == "#", tokens[1] == "components", tokens[2] == "schemas" else { return nil }
        return tokens[3].replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
    }

    // MARK: Merging

    /// A schema's keywords with its `$ref` followed and its `allOf` parts merged in, and the names
    /// of the component schemas they came through.
    struct Merged {
        var keywords: [String: JSONValue] = [:]
        var patterns: [String] = []
        var names: [String] = []

        subscript(_ key: String) -> JSONValue { keywords[key] ?? .null }
    }

    func merged(_ schema: JSONValue, following seen: Set<String> = []) -> Merged {
        let own = schema.object
        var result = Merged()
        result.keywords = own.filter { !["$ref", "allOf", "pattern"].contains($0.key) }
        result.patterns = own["pattern"]?.string.map { [$0] } ?? []
        if let pointer = own["$ref"]?.string, !seen.contains(pointer) {
            var target = merged(document.resolving(pointer: pointer), following: seen.union([pointer]))
            if let name = Self.componentName(pointer) { target.names.insert(name, at: 0) }
            result.absorb(target)
        }
        for part in own["allOf"]?.array ?? [] { result.absorb(merged(part, following: seen)) }
        return result
    }
}

extension SchemaText.Merged {
    private static let lowerBounds: Set = ["minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties"]
    private static let upperBounds: Set = ["maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties"]

    /// Takes in what another part of the schema says: a value must satisfy both, so fields and
    /// required names add up, bounds keep the stricter, and otherwise the schema's own word wins
    /// (a description beside a `$ref`).
    mutating func absorb(_ part: Self) {
        for (key, value) in part.keywords {
            guard let own = keywords[key] else {
                keywords[key] = value
                continue
            }
            switch key {
            case "properties":
                keywords[key] = .object(value.object.merging(own.object) { _, mine in mine })
            case "required":
                let names = own.array + value.array.filter { !own.array.contains($0) }
                keywords[key] = .array(names)
            case _ where Self.lowerBounds.contains(key):
                if let mine = own.decimal, let theirs = value.decimal, theirs > mine { keywords[key] = value }
            case _ where Self.upperBounds.contains(key):
                if let mine = own.decimal, let theirs = value.decimal, theirs < mine { keywords[key] = value }
            default:
                break
            }
        }
        patterns += part.patterns.filter { !patterns.contains($0) }
        names += part.names.filter { !names.contains($0) }
    }
}
