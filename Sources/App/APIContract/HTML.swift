import Foundation
import JSONSupport

/// The HTML the reference page is written in. Every value taken from the document goes through
/// `escape` (or `code`, `markdown`, `example`, which escape), so a document cannot inject markup.
enum HTML {
    static func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    static func code(_ text: String) -> String { "<code>\(escape(text))</code>" }

    /// A table of cells that are already HTML; the headings are plain text.
    static func table(_ headings: [String], _ rows: [[String]], class name: String? = nil) -> String {
        let opening = name.map { "<table class=\"\($0)\">" } ?? "<table>"
        return opening + "<thead>\(row(headings.map(escape), cell: "th"))</thead><tbody>\(rows.map { row($0) }.joined())</tbody></table>"
    }

    private static func row(_ cells: [String], cell: String = "td") -> String {
        "<tr>" + cells.map { "<\(cell)>\($0)</\(cell)>" }.joined() + "</tr>"
    }

    /// A bulleted list of items that are already HTML.
    static func list(_ items: [String]) -> String {
        "<ul>" + items.map { "<li>\($0)</li>" }.joined() + "</ul>"
    }

    /// An example as a block: pretty-printed JSON, or the text of an example for another media type.
    static func example(_ value: JSONValue, json: Bool, class name: String) -> String {
        let text = (json ? nil : value.string) ?? value.json(indent: "  ")
        return "<pre class=\"\(name)\"><code>\(escape(text))</code></pre>"
    }

    /// The little Markdown the document uses: paragraphs, `code` and **strong**.
    static func markdown(_ text: String) -> String {
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
}
