@testable import App
@testable import JSONSupport
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Testing

/// The published OpenAPI document and the code cannot drift: the router's routes and the
/// document's operations are the same set, the document is served byte for byte, every reference in
/// it resolves, and (in `APIClient`) every response of every test is validated against it.
@Suite struct ContractTests {
    static let methods = ["get", "post", "put", "patch", "delete", "head", "options", "trace"]

    @Test func theRouterAndTheDocumentHaveTheSameOperations() async throws {
        try await withTestDatabase { database in
            try await database.config.database.withStore(logger: Logger(label: "test")) { store in
                let shop = try await Shop(store: store, hasher: PasswordHasher(cost: 4))
                let router = try buildRouter(shop, store: store, config: database.config)
                // The console's pages are for people, not part of the API's contract.
                let routed = Set(router.routes.filter { !ConsolePages.isConsole($0.path.description) }
                    .map { "\($0.method.rawValue) \($0.path.description)" })
                let documented = Set(Contract.document["paths"].object.flatMap { path, item in
                    Self.methods.filter { !item[$0].isNull }.map { "\($0.uppercased()) \(path)" }
                })
                #expect(routed.subtracting(documented).sorted() == [], "routes missing from openapi.json")
                #expect(documented.subtracting(routed).sorted() == [], "documented operations the router lacks")
                #expect(routed.count > 40)
            }
        }
    }

    @Test func theDocumentIsServedByteForByteAndReadsAsOpenAPI31() async throws {
        try await withApp { client in
            let response = try await client.anonymous.get("/openapi.json")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(Array(response.body.utf8) == APIDocument.bytes)
            #expect(response.json["openapi"].string == "3.1.0")
            #expect(response.json["components"]["securitySchemes"]["bearerAuth"]["scheme"].string == "bearer")
        }
    }

    @Test func everyReferenceResolvesAndEveryOperationIsComplete() throws {
        let document = Contract.document
        var references: [String] = []
        func collect(_ value: JSONValue) {
            switch value {
            case .object(let object):
                if let pointer = object["$ref"]?.string { references.append(pointer) }
                object.values.forEach(collect)
            case .array(let items): items.forEach(collect)
            default: break
            }
        }
        collect(document)
        #expect(references.count > 100)
        for pointer in Set(references) { #expect(!document.resolving(pointer: pointer).isNull, "\(pointer) resolves") }

        var operationIDs: [String] = []
        for (path, item) in document["paths"].object {
            for method in Self.methods where !item[method].isNull {
                let operation = item[method]
                let name = "\(method.uppercased()) \(path)"
                operationIDs.append(operation["operationId"].string ?? "")
                let statuses = operation["responses"].keys
                #expect(statuses.contains { $0.hasPrefix("2") }, "\(name) documents its success")
                let access = operation["x-access"].string
                #expect(["public", "signed-in", "owner", "admin"].contains(access), "\(name) names who may call it")
                #expect(operation["security"].array.isEmpty == (access == "public"), "\(name): security matches x-access")
                if access != "public" { #expect(statuses.contains("401"), "\(name) documents 401") }
                if access == "admin" { #expect(statuses.contains("403"), "\(name) documents 403") }
                if !operation["requestBody"].isNull {
                    #expect(statuses.isSuperset(of: ["400", "413", "415"]), "\(name) documents body errors")
                }
                for parameter in operation["parameters"].array.map(Contract.resolved) where parameter["in"].string == "path" {
                    #expect(path.contains("{\(parameter["name"].string ?? "")}"), "\(name): path parameter in the path")
                }
            }
        }
        #expect(Set(operationIDs).count == operationIDs.count, "operation ids are unique")
    }

    @Test func theReferencePageIsRenderedFromTheDocumentAndSelfContained() async throws {
        try await withApp { client in
            let response = try await client.anonymous.get("/docs")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            let page = response.body
            for (path, item) in Contract.document["paths"].object {
                #expect(page.contains("<code>\(path)</code>"), "\(path) is on the page")
                for method in Self.methods where !item[method].isNull {
                    #expect(page.contains("id=\"\(item[method]["operationId"].string ?? "?")\""), "\(method) \(path) has an anchor")
                }
            }
            for schema in Contract.document["components"]["schemas"].keys { #expect(page.contains("id=\"schema-\(schema)\"")) }
            // Nothing is fetched from anywhere: no scripts, no external styles, images or fonts.
            // (Example URLs are text; what would load or link elsewhere is an attribute.)
            for needle in ["<script", "<link", "src=", "@import", "url(", "href=\"http", "href=\"//"] {
                #expect(!page.contains(needle), "the page holds no \(needle)")
            }
        }
    }

    /// The validator that checks every test's responses can fail: a body that breaks the schema is caught.
    @Test func theResponseValidatorRejectsBodiesThatBreakTheSchema() throws {
        let validator = SchemaValidator(document: Contract.document)
        let product: JSONValue = .object([
            "id": .number(1), "name": .string("Cup"), "description": .null, "sku": .string("CUP-1"), "price": .number(JSONNumber("19.99")!),
            "quantity": .number(3), "created_at": .string("2026-11-26T09:30:00Z"), "updated_at": .string("2026-11-26T09:30:00Z"),
        ])
        let schema: JSONValue = .object(["$ref": .string("#/components/schemas/Product")])
        #expect(validator.errors(product, schema, at: "$") == [])
        var broken = product.object
        broken["price"] = .number(JSONNumber("19.999")!)
        broken["quantity"] = .string("3")
        broken["sku"] = nil
        let errors = validator.errors(.object(broken), schema, at: "$")
        #expect(errors.contains { $0.contains("$.price") && $0.contains("multiple") })
        #expect(errors.contains { $0.contains("$.quantity") && $0.contains("type integer") })
        #expect(errors.contains { $0.contains("missing required 'sku'") })

        let undocumented = APIResponse(status: HTTPResponse.Status(code: 418), headers: [:], body: "{}")
        #expect(Contract.problems(.get, "/products/1", undocumented) == ["GET /products/1 → 418: status not documented"])

        // A method the path lacks must be 405 naming the path's methods; HEAD must have no body.
        let error = #"{"error": true, "reason": "no"}"#
        let notFound = APIResponse(status: .notFound, headers: [:], body: error)
        #expect(Contract.problems(.delete, "/products", notFound) == ["DELETE /products answered 404, not 405"])
        let wrongAllow = APIResponse(status: .methodNotAllowed, headers: [.allow: "GET"], body: error)
        #expect(Contract.problems(.delete, "/products", wrongAllow) == ["DELETE /products: Allow is not 'GET, HEAD, POST'"])
        let headWithBody = APIResponse(status: .ok, headers: [.contentType: "application/json"], body: "[]")
        #expect(Contract.problems(.head, "/products", headWithBody) == ["HEAD /products answered a body"])
    }
}
