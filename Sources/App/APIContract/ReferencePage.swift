import JSONSupport

/// Renders the OpenAPI document as one self-contained HTML page for `GET /docs`: styles inline, no
/// script, nothing fetched from another host, so the reference reads the same with no internet.
struct ReferencePage {
    let document: JSONValue

    var html: String {
        let info = document["info"]
        let title = info["title"].string ?? "API"
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title)) API reference</title>
        <style>\(Self.style)</style>
        </head><body>
        <nav>\(navigation)</nav>
        <main>
        <h1>\(escape(title)) <small>\(escape(info["version"].string ?? ""))</small></h1>
        <p class="summary">\(escape(info["summary"].string ?? ""))</p>
        \(markdown(info["description"].string ?? ""))
        <p>The machine-readable contract: <a href="/openapi.json">/openapi.json</a> (OpenAPI \(escape(document["openapi"].string ?? ""))).</p>
        \(tags.map(tagSection).joined(separator: "\n"))
        <h2 id="schemas">Schemas</h2>
        \(schemaNames.map(schemaSection).joined(separator: "\n"))
        </main></body></html>
        """
    }

    // MARK: Structure

    private struct Operation {
        let method: String
        let path: String
        let body: JSONValue
        var anchor: String { body["operationId"].string ?? "\(method)-\(path)" }
    }

    private static let methods = ["get", "post", "put", "patch", "delete"]

    private var tags: [JSONValue] { document["tags"].array }

    private var schemaNames: [String] { document["components"]["schemas"].keys.sorted() }

    private func operations(tagged tag: String) -> [Operation] {
        document["paths"].object.sorted { $0.key < $1.key }.flatMap { path, item in
            Self.methods.compactMap { method in
                let body = item[method]
                guard !body.isNull, body["tags"].array.contains(.string(tag)) else { return nil }
                return Operation(method: method, path: path, body: body)
            }
        }
    }

    private var navigation: String {
        let groups = tags.map { tag in
            let name = tag["name"].string ?? ""
            let links = operations(tagged: name).map { operation in
                "<li><a href=\"#\(escape(operation.anchor))\"><span class=\"m \(operation.method)\">\(operation.method.uppercased())</span> \(escape(operation.path))</a></li>"
            }
            return "<h3><a href=\"#tag-\(escape(name))\">\(escape(name))</a></h3><ul>\(links.joined())</ul>"
        }
        return groups.joined() + "<h3><a href=\"#schemas\">schemas</a></h3>"
    }

    private func tagSection(_ tag: JSONValue) -> String {
        let name = tag["name"].string ?? ""
        return "<h2 id=\"tag-\(escape(name))\">\(escape(name))</h2>\n\(markdown(tag["description"].string ?? ""))\n"
            + operations(tagged: name).map(operationSection).joined(separator: "\n")
    }

    private func operationSection(_ operation: Operation) -> String {
        let body = operation.body
        var parts = ["<section class=\"op\" id=\"\(escape(operation.anchor))\">",
                     "<h3><span class=\"m \(operation.method)\">\(operation.method.uppercased())</span> <code>\(escape(operation.path))</code></h3>",
                     "<p class=\"summary\">\(escape(body["summary"].string ?? ""))</p>",
                     markdown(body["description"].string ?? "")]
        let parameters = body["parameters"].array.map(resolved)
        if !parameters.isEmpty {
            let rows = parameters.map { parameter in
                row([code(parameter["name"].string ?? ""), escape(parameter["in"].string ?? ""),
                     parameter["required"].bool == true ? "yes" : "no", summary(of: parameter["schema"]),
                     markdown(parameter["description"].string ?? "")])
            }
            parts.append(table(["Parameter", "In", "Required", "Schema", "Description"], rows))
        }
        let requestBody = resolved(body["requestBody"])
        if !requestBody.isNull {
            let types = requestBody["content"].object.sorted { $0.key < $1.key }.map { type, content in
                "\(code(type)): \(summary(of: content["schema"]))"
            }
            parts.append("<p><strong>Body</strong> (required): \(types.joined(separator: "; "))</p>")
        }
        let rows = body["responses"].object.sorted { $0.key < $1.key }.map { status, value in
            let response = resolved(value)
            let content = response["content"].object.sorted { $0.key < $1.key }.map { type, content in
                "\(code(type)) \(summary(of: content["schema"]))"
            }
            let headers = response["headers"].keys.sorted().map(code)
            return row([code(status), markdown(response["description"].string ?? ""), content.joined(separator: "<br>"),
                        headers.joined(separator: " ")])
        }
        parts.append(table(["Status", "Meaning", "Body", "Headers"], rows))
        parts.append("</section>")
        return parts.joined(separator: "\n")
    }

    private func schemaSection(_ name: String) -> String {
        let schema = document["components"]["schemas"][name]
        var parts = ["<section class=\"schema\" id=\"schema-\(escape(name))\">", "<h3>\(escape(name))</h3>",
                     markdown(schema["description"].string ?? "")]
        let properties = schema["properties"].object
        if properties.isEmpty {
            parts.append("<p>\(summary(of: schema))</p>")
        } else {
            let required = Set(schema["required"].array.compactMap(\.string))
            let rows = properties.sorted { $0.key < $1.key }.map { property, value in
                row([code(property), required.contains(property) ? "yes" : "no", summary(of: value),
                     markdown(resolved(value)["description"].string ?? "")])
            }
            parts.append(table(["Field", "Required", "Schema", "Description"], rows))
        }
        if !schema["oneOf"].isNull, !properties.isEmpty {
            parts.append("<p>Exactly one of: \(schema["oneOf"].array.map(summary(of:)).joined(separator: "; "))</p>")
        }
        parts.append("</section>")
        return parts.joined(separator: "\n")
    }

    // MARK: Schemas in words

    /// A schema in a few words with its constraints: "string, 1–255 characters, pattern `\S`".
    private func summary(of schema: JSONValue) -> String {
        if let pointer = schema["$ref"].string {
            let name = pointer.split(separator: "/").last.map(String.init) ?? pointer
            if pointer.hasPrefix("#/components/schemas/"), pointer.split(separator: "/").count == 4 {
                return "<a href=\"#schema-\(escape(name))\">\(escape(name))</a>"
            }
            return summary(of: document.resolving(pointer: pointer))
        }
        var words: [String] = []
        switch schema["type"] {
        case .string(let type): words.append(type)
        case .array(let types): words.append(types.compactMap(\.string).joined(separator: " or "))
        default: break
        }
        if !schema["items"].isNull { words = ["array of \(summary(of: schema["items"]))"] }
        for (keyword, joiner) in [("allOf", " and "), ("oneOf", " or "), ("anyOf", " or ")] where !schema[keyword].isNull {
            let alternatives = schema[keyword].array.map(summary(of:)).filter { !$0.isEmpty }
            if !alternatives.isEmpty, schema["properties"].isNull { words.append(alternatives.joined(separator: joiner)) }
        }
        words += constraints(of: schema)
        return words.joined(separator: ", ")
    }

    private func constraints(of schema: JSONValue) -> [String] {
        var words: [String] = []
        if let format = schema["format"].string { words.append("format \(code(format))") }
        if !schema["enum"].array.isEmpty { words.append("one of " + schema["enum"].array.map { code(literal($0)) }.joined(separator: ", ")) }
        if !schema["const"].isNull { words.append("always \(code(literal(schema["const"])))") }
        if let range = range(schema["minLength"], schema["maxLength"]) { words.append("\(range) characters") }
        if let range = range(schema["minimum"], schema["maximum"]) { words.append("from \(range)") }
        if let range = range(schema["minItems"], schema["maxItems"]) { words.append("\(range) items") }
        if schema["uniqueItems"].bool == true { words.append("no duplicates") }
        if let step = schema["multipleOf"].decimal { words.append("in steps of \(step)") }
        if let pattern = schema["pattern"].string { words.append("pattern \(code(pattern))") }
        if !schema["not"]["const"].isNull { words.append("never \(code(literal(schema["not"]["const"])))") }
        if !schema["default"].isNull { words.append("default \(code(literal(schema["default"])))") }
        return words
    }

    private func range(_ low: JSONValue, _ high: JSONValue) -> String? {
        switch (low.decimal, high.decimal) {
        case let (low?, high?): "\(low)–\(high)"
        case let (low?, nil): "\(low) or more"
        case let (nil, high?): "at most \(high)"
        case (nil, nil): nil
        }
    }

    private func literal(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): string
        case .number(let number): "\(number)"
        case .bool(let bool): "\(bool)"
        case .null: "null"
        case .array, .object: "…"
        }
    }

    /// A parameter, body or response given as a `$ref` is read where it points.
    private func resolved(_ value: JSONValue) -> JSONValue {
        value["$ref"].string.map { document.resolving(pointer: $0) } ?? value
    }

    // MARK: HTML

    private func table(_ headings: [String], _ rows: [String]) -> String {
        "<table><thead>\(row(headings.map(escape), cell: "th"))</thead><tbody>\(rows.joined())</tbody></table>"
    }

    private func row(_ cells: [String], cell: String = "td") -> String {
        "<tr>" + cells.map { "<\(cell)>\($0)</\(cell)>" }.joined() + "</tr>"
    }

    private func code(_ text: String) -> String { "<code>\(escape(text))</code>" }

    /// The little Markdown the document uses: paragraphs, `code` and **strong**.
    private func markdown(_ text: String) -> String {
        text.components(separatedBy: "\n\n").filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }.map { paragraph in
            var html = ""
            for (index, piece) in paragraph.split(separator: "`", omittingEmptySubsequences: false).enumerated() {
                if index.isMultiple(of: 2) {
                    let parts = escape(String(piece)).components(separatedBy: "**")
                    html += parts.enumerated().map { $0.offset.isMultiple(of: 2) ? $0.element : "<strong>\($0.element)</strong>" }.joined()
                } else {
                    html += code(String(piece))
                }
            }
            return "<p>\(html)</p>"
        }.joined(separator: "\n")
    }

    private func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    private static let style = """
    body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d232a;display:flex}
    nav{position:sticky;top:0;height:100vh;overflow:auto;width:300px;flex:none;padding:1em;background:#f4f6f8;border-right:1px solid #dde2e7;box-sizing:border-box}
    nav ul{list-style:none;margin:0 0 1em;padding:0;font-size:13px}nav h3{margin:.6em 0 .2em;text-transform:capitalize}
    nav a{color:inherit;text-decoration:none}main{padding:1em 2em;max-width:1100px;min-width:0}
    h1 small{color:#6a737d;font-weight:normal;font-size:.5em}.summary{font-weight:600}
    section{border-top:1px solid #dde2e7;padding:.5em 0}code{background:#f0f2f4;padding:0 .25em;border-radius:3px;font-size:.92em}
    table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:14px}th,td{border:1px solid #dde2e7;padding:.3em .5em;text-align:left;vertical-align:top}
    th{background:#f4f6f8}td p{margin:0}
    .m{display:inline-block;min-width:4em;font:700 12px monospace;text-align:center;border-radius:3px;color:#fff;padding:.1em .3em}
    .get{background:#2f7d32}.post{background:#1f5fa8}.put{background:#a86b00}.patch{background:#6b4fa8}.delete{background:#b3261e}
    """
}
