@testable import App
@testable import JSONSupport
import Foundation
import Testing

/// The document's examples are realistic and valid: each one matches the schema it illustrates, and
/// every operation with a request body shows a request and the answer it succeeds with.
@Suite struct ContractExampleTests {
    @Test func everyExampleMatchesItsSchema() {
        let examples = Contract.examples(in: Contract.document)
        #expect(examples.count > 60)
        let validator = SchemaValidator(document: Contract.document)
        for example in examples {
            let errors = validator.errors(example.value, example.schema, at: "$")
            #expect(errors == [], "\(example.location)")
        }
    }

    @Test func everyOperationWithABodyShowsARequestAndItsSuccess() {
        var operations = 0
        for (path, item) in Contract.document["paths"].object {
            for (method, operation) in item.object where !operation["requestBody"].isNull {
                operations += 1
                let name = "\(method.uppercased()) \(path)"
                #expect(!operation["requestBody"]["content"]["application/json"]["example"].isNull, "\(name): a request example")
                let success = operation["responses"].object.filter { $0.key.hasPrefix("2") }.map { Contract.resolved($0.value) }
                #expect(success.count == 1, "\(name): one success")
                #expect(success.allSatisfy { !$0["content"]["application/json"]["example"].isNull }, "\(name): a success example")
            }
        }
        #expect(operations == 23)
    }

    /// The check can fail: each wrong example put into a copy of the document is caught, and only those.
    @Test func wrongExamplesAreCaught() {
        let wrong: [(pointer: [String], value: JSONValue)] = [
            (["paths", "/products", "post", "requestBody", "content", "application/json", "example", "price"], .number(JSONNumber("12.555")!)),
            (["paths", "/products", "post", "requestBody", "content", "application/json", "example", "name"], .string("Espresso\ncup")),
            (["paths", "/auth/register", "post", "requestBody", "content", "application/json", "example", "phone"], .string("12-34 ()")),
            (["paths", "/auth/register", "post", "requestBody", "content", "application/json", "example", "email"], .string("ada@example")),
            (["paths", "/auth/login", "post", "requestBody", "content", "application/json", "example", "username"], .string("ada\u{0}")),
            (["paths", "/orders", "post", "requestBody", "content", "application/json", "example", "product_ids"], .array([.number(1)])),
            (["components", "schemas", "Name", "examples", "0"], .string(" ")),
            (["components", "schemas", "Money", "examples", "0"], .number(JSONNumber("19.990000000000002")!)),
        ]
        var document = Contract.document
        for (pointer, value) in wrong { document = document.replacing(at: pointer[...], with: value) }
        let validator = SchemaValidator(document: document)
        let failing = Set(Contract.examples(in: document).filter { !validator.errors($0.value, $0.schema, at: "$").isEmpty }.map(\.location))
        #expect(failing == [
            "#/paths//products/post/requestBody/content/application/json/example",
            "#/paths//auth/register/post/requestBody/content/application/json/example",
            "#/paths//auth/login/post/requestBody/content/application/json/example",
            "#/paths//orders/post/requestBody/content/application/json/example",
            "#/components/schemas/Name/examples/0",
            "#/components/schemas/Money/examples/0",
        ])
    }
}

private extension JSONValue {
    /// A copy with the value at `pointer` (object keys, or array indices as text) replaced.
    func replacing(at pointer: ArraySlice<String>, with value: JSONValue) -> JSONValue {
        guard let key = pointer.first else { return value }
        switch self {
        case .object(var object):
            object[key] = (object[key] ?? .null).replacing(at: pointer.dropFirst(), with: value)
            return .object(object)
        case .array(var items):
            guard let index = Int(key), items.indices.contains(index) else { return self }
            items[index] = items[index].replacing(at: pointer.dropFirst(), with: value)
            return .array(items)
        case .null, .bool, .number, .string:
            return self
        }
    }
}
