/// One labelled input of a console form, as the `field` template draws it, with the problems the
/// API's rules found in it (keyed by the same JSON names the API reports).
struct ConsoleField {
    var name: String
    var label: String
    var id: String
    var value: String
    var type = "text"
    var inputMode: String?
    var multiline = false
    var autocomplete: String?
    var error: String?

    init(_ name: String, _ label: String, id: String? = nil, value: String?, problems: FieldProblems = [:],
         type: String = "text", inputMode: String? = nil, multiline: Bool = false, autocomplete: String? = nil) {
        self.name = name
        self.label = label
        self.id = id ?? name
        self.value = value ?? ""
        self.type = type
        self.inputMode = inputMode
        self.multiline = multiline
        self.autocomplete = autocomplete
        error = problems[name].map { "This \(name.replacingOccurrences(of: "_", with: " ")) \($0.joined(separator: "; "))." }
    }

    var values: [String: Any] {
        var values: [String: Any] = ["name": name, "label": label, "id": id, "value": value, "type": type, "multiline": multiline]
        if let inputMode { values["inputMode"] = inputMode }
        if let autocomplete { values["autocomplete"] = autocomplete }
        if let error { values["error"] = error }
        return values
    }
}

extension [ConsoleField] {
    var values: [[String: Any]] { map(\.values) }
}
