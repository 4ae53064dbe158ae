import Crypto
import Foundation
import JSONSupport

/// Renders the OpenAPI document as one self-contained HTML page for `GET /docs`: each operation with
/// its parameters, its request body's fields in place, its responses and its examples, then every
/// schema. One inline style, no script, nothing fetched from another host (the policy below lets a
/// browser load nothing else), so the reference reads the same with no internet.
struct ReferencePage {
    let document: JSONValue

    private var schemas: SchemaText { SchemaText(document: document) }

    /// Served with the page: its one style element (by hash) and nothing else may load.
    static let contentSecurityPolicy: String = {
        let hash = Data(SHA256.hash(data: Data(style.utf8))).base64EncodedString()
        return "default-src 'none'; style-src 'sha256-\(hash)'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }()

    var html: String {
        let info = document["info"]
        let title = info["title"].string ?? "API"
        return """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(HTML.escape(title)) API reference</title>
        <style>\(Self.style)</style>
        </head><body>
        <nav>\(navigation)</nav>
        <main>
        <h1>\(HTML.escape(title)) <small>\(HTML.escape(info["version"].string ?? ""))</small></h1>
        <p class="summary">\(HTML.escape(info["summary"].string ?? ""))</p>
        \(HTML.markdown(info["description"].string ?? ""))
        <p>The machine-readable contract: <a href="/openapi.json">/openapi.json</a> (OpenAPI \(HTML.escape(document["openapi"].string ?? ""))).</p>
        \(tags.map(tagSection).joined(separator: "\n"))
        \(webhookSection)
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

    /// The requests the service sends (the document's `webhooks`), by event name.
    private var webhooks: [Operation] {
        document["webhooks"].object.sorted { $0.key < $1.key }.compactMap { name, item in
            item["post"].isNull ? nil : Operation(method: "post", path: name, body: item["post"])
        }
    }

    private var webhookSection: String {
        guard !webhooks.isEmpty else { return "" }
        return "<h2 id=\"webhooks\">Webhooks (sent by the service)</h2>\n"
            + "<p>Each event is a POST to every endpoint subscribed to it, signed to the Standard Webhooks specification.</p>\n"
            + webhooks.map(operationSection).joined(separator: "\n")
    }

    private var navigation: String {
        let groups = tags.map { tag in
            let name = tag["name"].string ?? ""
            let links = operations(tagged: name).map { operation in
                "<li><a href=\"#\(HTML.escape(operation.anchor))\"><span class=\"m \(operation.method)\">\(operation.method.uppercased())</span> \(HTML.escape(operation.path))</a></li>"
            }
            return "<h3><a href=\"#tag-\(HTML.escape(name))\">\(HTML.escape(name))</a></h3><ul>\(links.joined())</ul>"
        }
        let events = webhooks.map { "<li><a href=\"#\(HTML.escape($0.anchor))\">\(HTML.escape($0.path))</a></li>" }
        let webhookGroup = events.isEmpty ? "" : "<h3><a href=\"#webhooks\">webhooks</a></h3><ul>\(events.joined())</ul>"
        return groups.joined() + webhookGroup + "<h3><a href=\"#schemas\">schemas</a></h3>"
    }

    private func tagSection(_ tag: JSONValue) -> String {
        let name = tag["name"].string ?? ""
        return "<h2 id=\"tag-\(HTML.escape(name))\">\(HTML.escape(name))</h2>\n\(HTML.markdown(tag["description"].string ?? ""))\n"
            + operations(tagged: name).map(operationSection).joined(separator: "\n")
    }

    private func operationSection(_ operation: Operation) -> String {
        let body = operation.body
        return ["<section class=\"op\" id=\"\(HTML.escape(operation.anchor))\">",
                "<h3><span class=\"m \(operation.method)\">\(operation.method.uppercased())</span> <code>\(HTML.escape(operation.path))</code></h3>",
                "<p class=\"summary\">\(HTML.escape(body["summary"].string ?? ""))</p>",
                HTML.markdown(body["description"].string ?? ""),
                parameters(of: body), requestBody(of: body), responses(of: body),
                "</section>"].filter { !$0.isEmpty }.joined(separator: "\n")
    }

    private func parameters(of operation: JSONValue) -> String {
        let parameters = operation["parameters"].array.map(resolved)
        guard !parameters.isEmpty else { return "" }
        return HTML.table(["Parameter", "In", "Required", "Schema", "Description"], parameters.map { parameter in
            [HTML.code(parameter["name"].string ?? ""), HTML.escape(parameter["in"].string ?? ""),
             parameter["required"].bool == true ? "yes" : "no", schemas.summary(of: parameter["schema"]),
             HTML.markdown(parameter["description"].string ?? "")]
        })
    }

    /// The body's fields in place, whatever form its schema takes, and its examples.
    private func requestBody(of operation: JSONValue) -> String {
        let body = resolved(operation["requestBody"])
        guard !body.isNull else { return "" }
        var parts = ["<h4>Request body</h4>", HTML.markdown(body["description"].string ?? "")]
        for (type, content) in body["content"].object.sorted(by: { $0.key < $1.key }) {
            let required = body["required"].bool == true ? "required" : "optional"
            parts.append("<p>\(HTML.code(type)) (\(required)): \(schemas.summary(of: content["schema"]))</p>")
            parts.append(HTML.markdown(schemas.merged(content["schema"])["description"].string ?? ""))
            parts.append(schemas.details(of: content["schema"], expanding: true))
            parts += examples(content, type: type, kind: "request")
        }
        return parts.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    private func responses(of operation: JSONValue) -> String {
        let responses = operation["responses"].object.sorted { $0.key < $1.key }.map { ($0.key, resolved($0.value)) }
        let rows = responses.map { status, response in
            let content = response["content"].object.sorted { $0.key < $1.key }.map { type, content in
                "\(HTML.code(type)) \(schemas.summary(of: content["schema"]))"
            }
            let headers = response["headers"].keys.sorted().map(HTML.code)
            return [HTML.code(status), HTML.markdown(response["description"].string ?? ""), content.joined(separator: "<br>"),
                    headers.joined(separator: " ")]
        }
        var parts = ["<h4>Responses</h4>", HTML.table(["Status", "Meaning", "Body", "Headers"], rows)]
        for (status, response) in responses {
            for (type, content) in response["content"].object.sorted(by: { $0.key < $1.key }) {
                parts += examples(content, type: type, kind: "response", status: status)
            }
        }
        return parts.joined(separator: "\n")
    }

    /// A media type's examples: its `example`, and each of its named `examples` with its summary.
    private func examples(_ content: JSONValue, type: String, kind: String, status: String? = nil) -> [String] {
        var all: [(title: String?, value: JSONValue)] = content["example"].isNull ? [] : [(nil, content["example"])]
        for (name, example) in content["examples"].object.sorted(by: { $0.key < $1.key }) {
            let example = resolved(example)
            all.append((example["summary"].string ?? name, example["value"]))
        }
        let json = type.hasSuffix("json")
        return all.map { title, value in
            let heading = ["Example \(kind)", status.map(HTML.code), HTML.code(type), title.map(HTML.escape)].compactMap { $0 }
            return "<p class=\"example\">\(heading.joined(separator: " "))</p>\n" + HTML.example(value, json: json, class: "example \(kind)")
        }
    }

    private func schemaSection(_ name: String) -> String {
        let schema = document["components"]["schemas"][name]
        return ["<section class=\"schema\" id=\"schema-\(HTML.escape(name))\">", "<h3>\(HTML.escape(name))</h3>",
                HTML.markdown(schema["description"].string ?? ""), schemas.details(of: schema, expanding: false),
                "</section>"].joined(separator: "\n")
    }

    /// A parameter, body, response or example given as a `$ref` is read where it points.
    private func resolved(_ value: JSONValue) -> JSONValue {
        value["$ref"].string.map { document.resolving(pointer: $0) } ?? value
    }

    private static let style = """
    body{margin:0;font:15px/1.5 system-ui,sans-serif;color:#1d232a;display:flex}
    nav{position:sticky;top:0;height:100vh;overflow:auto;width:300px;flex:none;padding:1em;background:#f4f6f8;border-right:1px solid #dde2e7;box-sizing:border-box}
    nav ul{list-style:none;margin:0 0 1em;padding:0;font-size:13px}nav h3{margin:.6em 0 .2em;text-transform:capitalize}
    nav a{color:inherit;text-decoration:none}main{padding:1em 2em;max-width:1100px;min-width:0}
    h1 small{color:#6a737d;font-weight:normal;font-size:.5em}.summary{font-weight:600}h4{margin:1em 0 .3em}
    section{border-top:1px solid #dde2e7;padding:.5em 0}code{background:#f0f2f4;padding:0 .25em;border-radius:3px;font-size:.92em}
    table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:14px}th,td{border:1px solid #dde2e7;padding:.3em .5em;text-align:left;vertical-align:top}
    th{background:#f4f6f8}td code{overflow-wrap:anywhere}td:first-child{white-space:nowrap}td p{margin:0}li table{margin-top:.3em}
    pre{background:#f4f6f8;border:1px solid #dde2e7;border-radius:3px;padding:.5em .8em;overflow:auto;font-size:13px}pre code{background:none;padding:0}
    p.example{margin:.8em 0 0}
    .m{display:inline-block;min-width:4em;font:700 12px monospace;text-align:center;border-radius:3px;color:#fff;padding:.1em .3em}
    .get{background:#2f7d32}.post{background:#1f5fa8}.put{background:#a86b00}.patch{background:#6b4fa8}.delete{background:#b3261e}
    """
}
