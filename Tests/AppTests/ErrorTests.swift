import App
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct ErrorTests {
    @Test func theRootWelcomes() async throws {
        try await withApp { client in
            let response = try await client.get("/")
            #expect(response.status == .ok)
            #expect(response.json["name"].string == "ecommerce")
            #expect(response.json["version"].string != nil)
        }
    }

    @Test func unknownRoutesAnswerJSON404() async throws {
        try await withApp { client in
            for (method, path) in [(HTTPRequest.Method.get, "/nothing-here"), (.patch, "/orders/1/lines"), (.post, "/products/1/x")] {
                let response = try await client.send(method, path)
                #expect(response.status == .notFound)
                #expect(response.json["error"].bool == true)
                #expect(response.json["reason"].string != nil)
            }
        }
    }

    @Test func malformedJSONIsABadRequest() async throws {
        try await withApp { client in
            let response = try await client.post("/users", #"{"name": "unterminated"#)
            #expect(response.status == .badRequest)
            #expect(response.json["error"].bool == true)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
        }
    }

    @Test func aJSONSyntaxErrorNamesItsLineAndColumn() async throws {
        try await withApp { client in
            let body = "{\n  \"name\": \"Pen\",\n  \"price\": 1.50\n  \"quantity\": 3\n}"
            let response = try await client.post("/products", body)
            #expect(response.status == .badRequest)
            #expect(response.json["reason"].string == "The request body is not valid JSON: expected ',' or '}' at line 4, column 3.")
        }
    }

    @Test func invalidFieldsAreNamedByTheirJSONPathsInTheReason() async throws {
        try await withApp { client in
            let product = try await client.createProduct(name: "Pen")
            let response = try await client.post("/orders", #"{"user_id": 1, "items": [{"product_id": \#(product), "quantity": 0}]}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["items[0].quantity"])
            let reason = try #require(response.json["reason"].string)
            #expect(reason.hasPrefix("The request has invalid fields: items[0].quantity must be"))
        }
    }

    @Test(arguments: ["[]", "\"text\"", "42", "null", ""])
    func aBodyThatIsNotAnObjectIsABadRequest(body: String) async throws {
        try await withApp { client in
            let response = try await client.post("/products", body)
            #expect(response.status == .badRequest)
            #expect(response.json["error"].bool == true)
        }
    }

    @Test func nonJSONContentIsUnsupported() async throws {
        try await withApp { client in
            let response = try await client.send(.post, "/users", body: "name=x", headers: [.contentType: "application/x-www-form-urlencoded"])
            #expect(response.status == .unsupportedMediaType)
            #expect(response.json["error"].bool == true)
        }
    }

    @Test func bodiesOverOneMebibyteAreTooLarge() async throws {
        try await withApp { client in
            let big = #"{"name": ""# + String(repeating: "x", count: 1 << 20) + #""}"#
            let response = try await client.post("/products", big)
            #expect(response.status == .contentTooLarge)
            #expect(response.json["error"].bool == true)
        }
    }

    @Test func errorsRevealNoInternals() async throws {
        try await withApp { client in
            let responses = [
                try await client.post("/users", #"{"name": "x", "email": "a@b.co", "phone": "5551234567", "extra": {"deep": [1, 2, {"x": null}]}}"#),
                try await client.post("/users", #"{"name": "y", "email": "A@b.co", "phone": "5551234567"}"#),
                try await client.get("/products?min_price=1e999"),
            ]
            for response in responses {
                for secret in ["SQL", "sqlite", "SELECT", "INSERT", "constraint", "/tmp", ".swift"] {
                    #expect(!response.body.localizedCaseInsensitiveContains(secret), "\(response.body)")
                }
            }
        }
    }

    @Test func hugeAndFractionalNumbersAreValidationErrorsNotCrashes() async throws {
        try await withApp { client in
            let response = try await client.post("/products", #"{"name": "x", "price": 1e100, "quantity": 99999999999999999999999}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["price", "quantity"])
            // Beyond what a decimal can hold, the number is unreadable JSON: still a 400.
            #expect(try await client.post("/products", #"{"name": "x", "price": 1e400, "quantity": 1}"#).status == .badRequest)
        }
    }

    @Test func textWithNULCharactersIsRefused() async throws {
        try await withApp { client in
            let response = try await client.post("/users", #"{"name": "a\u0000b", "email": "nul@example.com", "phone": "5551234567"}"#)
            #expect(response.status == .badRequest)
            #expect(!response.json["details"]["name"].isNull)
        }
    }
}
