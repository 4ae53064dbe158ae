import App
import Foundation
import HTTPTypes
import HummingbirdTesting
import Testing

@Suite struct ProductTests {
    private static let productKeys: Set<String> = ["id", "name", "description", "sku", "price", "quantity", "created_at", "updated_at"]

    // MARK: - Create and read

    @Test func createsAProductWithEveryField() async throws {
        try await withApp { client in
            let created = try await client.post("/products", #"{"name": "Desk Lamp", "description": "Warm light", "sku": "LAMP-1", "price": 24.5, "quantity": 12}"#)
            #expect(created.status == .created)
            #expect(created.json.keys == Self.productKeys)
            #expect(created.json["name"].string == "Desk Lamp")
            #expect(created.json["description"].string == "Warm light")
            #expect(created.json["sku"].string == "LAMP-1")
            #expect(created.json["price"].decimal == Decimal(exactly: "24.5"))
            #expect(created.json["quantity"].int == 12)
            #expect(created.json["id"].int != nil)
            #expect(created.json["created_at"].string != nil)
            #expect(created.json["updated_at"].string != nil)
        }
    }

    @Test func absentDescriptionAndSkuAreNull() async throws {
        try await withApp { client in
            let created = try await client.post("/products", #"{"name": "Plain", "price": 1, "quantity": 1}"#)
            #expect(created.status == .created)
            #expect(created.json.keys == Self.productKeys)
            #expect(created.body.contains(#""description":null"#))
            #expect(created.body.contains(#""sku":null"#))
        }
    }

    @Test func readingAProductReturnsWhatCreateReturned() async throws {
        try await withApp { client in
            let created = try await client.post("/products", #"{"name": "Mug", "description": "Blue", "sku": "MUG", "price": 7.25, "quantity": 3}"#)
            let id = try #require(created.json["id"].int)
            let read = try await client.get("/products/\(id)")
            #expect(read.status == .ok)
            #expect(read.json == created.json)
        }
    }

    @Test func clientIDsAndTimestampsAreIgnored() async throws {
        try await withApp { client in
            let created = try await client.post("/products", #"{"id": 900, "name": "Forged", "price": 1, "quantity": 1, "created_at": "1999-01-01T00:00:00Z"}"#)
            #expect(created.status == .created)
            #expect(created.json["id"].int != 900)
            #expect(created.json["created_at"].string != "1999-01-01T00:00:00Z")
            #expect(try await client.get("/products/900").status == .notFound)
        }
    }

    @Test func missingRequiredFieldsAreReportedTogether() async throws {
        try await withApp { client in
            let response = try await client.post("/products", #"{"description": "no name, price or quantity"}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["name", "price", "quantity"])
            #expect(try await client.get("/products").json.array.isEmpty)
        }
    }

    @Test(arguments: ["/products/1", "/products/0", "/products/abc", "/products/-1"])
    func unknownProductsAreNotFound(path: String) async throws {
        try await withApp { client in
            let response = try await client.get(path)
            #expect(response.status == .notFound)
            #expect(response.json["error"].bool == true)
        }
    }

    @Test(arguments: ["/products/abc", "/products/0", "/orders/1.5", "/users/-1/orders"])
    func aPathIdThatIsNoPositiveIntegerSaysWhatIdsAre(path: String) async throws {
        try await withApp { client in
            let response = try await client.get(path)
            #expect(response.status == .notFound)
            #expect(response.json["reason"].string?.contains("positive integers") == true)
        }
    }

    // MARK: - PUT

    @Test func putReplacesEveryFieldAndClearsOmittedOptionals() async throws {
        try await withApp { client in
            let created = try await client.post("/products", #"{"name": "Old", "description": "Old text", "sku": "OLD-1", "price": 5, "quantity": 5}"#)
            let id = try #require(created.json["id"].int)
            let replaced = try await client.put("/products/\(id)", #"{"name": "New", "price": 6.5, "quantity": 9}"#)
            #expect(replaced.status == .ok)
            #expect(replaced.json.keys == Self.productKeys)
            #expect(replaced.json["id"].int == id)
            #expect(replaced.json["name"].string == "New")
            #expect(replaced.json["price"].decimal == Decimal(exactly: "6.5"))
            #expect(replaced.json["quantity"].int == 9)
            #expect(replaced.json["description"].isNull)
            #expect(replaced.json["sku"].isNull)
            #expect(replaced.body.contains(#""description":null"#))

            let read = try await client.get("/products/\(id)")
            #expect(read.json == replaced.json)
        }
    }

    @Test func putRequiresNamePriceAndQuantity() async throws {
        try await withApp { client in
            let id = try await client.createProduct(name: "Keep", price: "3.00", quantity: 4)
            let partial = try await client.put("/products/\(id)", #"{"name": "Changed"}"#)
            #expect(partial.status == .badRequest)
            #expect(partial.json["details"].keys == ["price", "quantity"])
            let read = try await client.get("/products/\(id)")
            #expect(read.json["name"].string == "Keep")
            #expect(read.json["quantity"].int == 4)
        }
    }

    @Test func putOnAnUnknownProductIsNotFound() async throws {
        try await withApp { client in
            let response = try await client.put("/products/77", #"{"name": "Ghost", "price": 1, "quantity": 1}"#)
            #expect(response.status == .notFound)
            #expect(try await client.get("/products").json.array.isEmpty)
        }
    }

    // MARK: - PATCH

    @Test func patchChangesOnlyTheGivenFields() async throws {
        try await withApp { client in
            let created = try await client.post("/products", #"{"name": "Chair", "description": "Oak", "sku": "CH-1", "price": 80, "quantity": 2}"#)
            let id = try #require(created.json["id"].int)
            let patched = try await client.patch("/products/\(id)", #"{"price": 79.95}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["price"].decimal == Decimal(exactly: "79.95"))
            #expect(patched.json["name"].string == "Chair")
            #expect(patched.json["description"].string == "Oak")
            #expect(patched.json["sku"].string == "CH-1")
            #expect(patched.json["quantity"].int == 2)
            #expect(try await client.get("/products/\(id)").json == patched.json)
        }
    }

    @Test func patchWithNullClearsTheDescriptionOnly() async throws {
        try await withApp { client in
            let created = try await client.post("/products", #"{"name": "Table", "description": "Pine", "sku": "TB-1", "price": 120, "quantity": 1}"#)
            let id = try #require(created.json["id"].int)
            let patched = try await client.patch("/products/\(id)", #"{"description": null}"#)
            #expect(patched.status == .ok)
            #expect(patched.json.keys == Self.productKeys)
            #expect(patched.json["description"].isNull)
            #expect(patched.json["sku"].string == "TB-1")
            #expect(patched.json["name"].string == "Table")
            #expect(try await client.get("/products/\(id)").json["description"].isNull)
        }
    }

    @Test func patchCanSetTheStock() async throws {
        try await withApp { client in
            let id = try await client.createProduct(quantity: 10)
            let patched = try await client.patch("/products/\(id)", #"{"quantity": 3}"#)
            #expect(patched.status == .ok)
            #expect(patched.json["quantity"].int == 3)
            #expect(try await client.stock(of: id) == 3)
        }
    }

    @Test func patchNameMustNotBeNullOrBlank() async throws {
        try await withApp { client in
            let id = try await client.createProduct(name: "Named")
            let nulled = try await client.patch("/products/\(id)", #"{"name": null}"#)
            #expect(nulled.status == .badRequest)
            #expect(nulled.json["details"].keys == ["name"])
            let blank = try await client.patch("/products/\(id)", #"{"name": "   "}"#)
            #expect(blank.status == .badRequest)
            #expect(blank.json["details"].keys == ["name"])
            #expect(try await client.get("/products/\(id)").json["name"].string == "Named")
        }
    }

    @Test func patchOnAnUnknownProductIsNotFound() async throws {
        try await withApp { client in
            let response = try await client.patch("/products/5", #"{"price": 1}"#)
            #expect(response.status == .notFound)
        }
    }

    // MARK: - DELETE

    @Test func deletedProductsLeaveListsButOrdersKeepThem() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let doomed = try await client.createProduct(name: "Limited Edition", price: "12.34", quantity: 5)
            let kept = try await client.createProduct(name: "Evergreen")
            let placed = try await client.placeOrder(userID: user, items: [(doomed, 2)])
            #expect(placed.status == .created)
            let orderID = try #require(placed.json["id"].int)

            let deleted = try await client.delete("/products/\(doomed)")
            #expect(deleted.status == .noContent)
            #expect(deleted.body.isEmpty)
            #expect(try await client.get("/products/\(doomed)").status == .notFound)
            #expect(try await client.get("/products").json.array.map(\.["id"].int) == [kept])
            #expect(try await client.delete("/products/\(doomed)").status == .notFound)

            let order = try await client.get("/orders/\(orderID)")
            #expect(order.status == .ok)
            #expect(order.json == placed.json)
            #expect(order.json["items"][0]["product_id"].int == doomed)
            #expect(order.json["items"][0]["name"].string == "Limited Edition")
            #expect(order.json["items"][0]["unit_price"].decimal == Decimal(exactly: "12.34"))
            #expect(order.json["total_price"].decimal == Decimal(exactly: "24.68"))
        }
    }

    @Test func aDeletedProductCanNeitherBeChangedNorOrdered() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let id = try await client.createProduct()
            #expect(try await client.delete("/products/\(id)").status == .noContent)
            #expect(try await client.patch("/products/\(id)", #"{"price": 1}"#).status == .notFound)
            #expect(try await client.put("/products/\(id)", #"{"name": "Back", "price": 1, "quantity": 1}"#).status == .notFound)
            #expect(try await client.send(.put, "/products/\(id)/stock", body: #"{"quantity": 5}"#).status == .notFound)
            let order = try await client.placeOrder(userID: user, items: [(id, 1)])
            #expect(order.status == .badRequest)
        }
    }

    // MARK: - Money

    @Test func aDimeIsReturnedAsExactlyPointOne() async throws {
        try await withApp { client in
            let created = try await client.post("/products", #"{"name": "Dime", "price": 0.10, "quantity": 1}"#)
            #expect(created.status == .created)
            #expect(created.json["price"].decimal == Decimal(exactly: "0.1"))
            #expect(Self.priceText(in: created.body) == "0.1")
            let id = try #require(created.json["id"].int)
            #expect(try await client.get("/products/\(id)").json["price"].decimal == Decimal(exactly: "0.1"))
        }
    }

    @Test func pricesAreWrittenWithoutFloatingPointNoise() async throws {
        try await withApp { client in
            let created = try await client.post("/products", #"{"name": "Book", "price": 19.99, "quantity": 1}"#)
            #expect(created.status == .created)
            #expect(created.json["price"].decimal == Decimal(exactly: "19.99"))
            #expect(created.body.contains(#""price":19.99"#))
            #expect(Self.priceText(in: created.body) == "19.99")
            let id = try #require(created.json["id"].int)
            let list = try await client.get("/products")
            #expect(Self.priceText(in: list.body) == "19.99")
            let read = try await client.get("/products/\(id)")
            #expect(Self.priceText(in: read.body) == "19.99")
        }
    }

    @Test(arguments: ["19.99", "999.99", "0", "0.01", "1000000000", "1000000000.00", "5.5"])
    func acceptsPricesFromZeroToOneBillion(price: String) async throws {
        try await withApp { client in
            let response = try await client.post("/products", #"{"name": "Priced", "price": \#(price), "quantity": 1}"#)
            #expect(response.status == .created, "\(response.body)")
            #expect(response.json["price"].decimal == Decimal(exactly: price))
        }
    }

    @Test(arguments: ["19.999", "-1", "-0.01", "1000000000.01", "1000000001", #""9.99""#, "true", "null", "0.001"])
    func rejectsInvalidPrices(price: String) async throws {
        try await withApp { client in
            let response = try await client.post("/products", #"{"name": "Priced", "price": \#(price), "quantity": 1}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["price"])
            #expect(try await client.get("/products").json.array.isEmpty)
        }
    }

    @Test func aStringPriceIsNamedAsTheWrongType() async throws {
        try await withApp { client in
            let response = try await client.post("/products", #"{"name": "Priced", "price": "9.99", "quantity": 1}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"]["price"][0].string == "must be a number, not a string")
        }
    }

    @Test func patchRejectsAPriceWithThreeDecimals() async throws {
        try await withApp { client in
            let id = try await client.createProduct(price: "2.50")
            let response = try await client.patch("/products/\(id)", #"{"price": 2.505}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["price"])
            #expect(try await client.get("/products/\(id)").json["price"].decimal == Decimal(exactly: "2.5"))
        }
    }

    // MARK: - Quantity

    @Test(arguments: [0, 1, 1_000_000_000])
    func acceptsQuantitiesFromZeroToOneBillion(quantity: Int) async throws {
        try await withApp { client in
            let response = try await client.post("/products", #"{"name": "Stocked", "price": 1, "quantity": \#(quantity)}"#)
            #expect(response.status == .created)
            #expect(response.json["quantity"].int == Int64(quantity))
        }
    }

    @Test(arguments: ["1.5", "-1", "1000000001", #""5""#, "null"])
    func rejectsInvalidQuantities(quantity: String) async throws {
        try await withApp { client in
            let response = try await client.post("/products", #"{"name": "Stocked", "price": 1, "quantity": \#(quantity)}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["quantity"])
        }
    }

    // MARK: - SKU

    @Test func skuIsUniqueAmongLiveProducts() async throws {
        try await withApp { client in
            _ = try await client.createProduct(sku: "SKU-1")
            let duplicate = try await client.post("/products", #"{"name": "Copy", "price": 1, "quantity": 1, "sku": "SKU-1"}"#)
            #expect(duplicate.status == .conflict)
            #expect(duplicate.json["error"].bool == true)
            #expect(duplicate.json["details"]["sku"][0].string == "is already taken", "\(duplicate.body)")
            #expect(try await client.get("/products").json.array.count == 1)
        }
    }

    @Test func skuIsUniqueOnUpdateToo() async throws {
        try await withApp { client in
            _ = try await client.createProduct(sku: "TAKEN")
            let other = try await client.createProduct(sku: "MINE")
            let patched = try await client.patch("/products/\(other)", #"{"sku": "TAKEN"}"#)
            #expect(patched.status == .conflict)
            #expect(patched.json["details"].keys == ["sku"])
            let replaced = try await client.put("/products/\(other)", #"{"name": "X", "price": 1, "quantity": 1, "sku": "TAKEN"}"#)
            #expect(replaced.status == .conflict)
            #expect(try await client.get("/products/\(other)").json["sku"].string == "MINE")
        }
    }

    @Test func aDeletedProductsSkuCanBeReused() async throws {
        try await withApp { client in
            let old = try await client.createProduct(name: "Old", sku: "REUSE-ME")
            #expect(try await client.delete("/products/\(old)").status == .noContent)
            let created = try await client.post("/products", #"{"name": "New", "price": 1, "quantity": 1, "sku": "REUSE-ME"}"#)
            #expect(created.status == .created)
            #expect(created.json["sku"].string == "REUSE-ME")
            #expect(created.json["id"].int != old)
        }
    }

    @Test func productsWithoutSkuDoNotConflict() async throws {
        try await withApp { client in
            _ = try await client.createProduct(name: "One")
            _ = try await client.createProduct(name: "Two")
            #expect(try await client.get("/products").json.array.count == 2)
        }
    }

    // MARK: - Stock

    @Test func settingTheStockReturnsTheProduct() async throws {
        try await withApp { client in
            let id = try await client.createProduct(name: "Restocked", price: "4.20", quantity: 3)
            let response = try await client.send(.put, "/products/\(id)/stock", body: #"{"quantity": 40}"#)
            #expect(response.status == .ok)
            #expect(response.json.keys == Self.productKeys)
            #expect(response.json["id"].int == id)
            #expect(response.json["quantity"].int == 40)
            #expect(response.json["name"].string == "Restocked")
            #expect(response.json["price"].decimal == Decimal(exactly: "4.2"))
            #expect(try await client.stock(of: id) == 40)
        }
    }

    @Test func stockCanBeSetToZero() async throws {
        try await withApp { client in
            let id = try await client.createProduct(quantity: 3)
            let response = try await client.send(.put, "/products/\(id)/stock", body: #"{"quantity": 0}"#)
            #expect(response.status == .ok)
            #expect(try await client.stock(of: id) == 0)
        }
    }

    @Test func negativeStockIsRejected() async throws {
        try await withApp { client in
            let id = try await client.createProduct(quantity: 3)
            let response = try await client.send(.put, "/products/\(id)/stock", body: #"{"quantity": -1}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["quantity"])
            #expect(try await client.stock(of: id) == 3)
        }
    }

    @Test func stockOfAnUnknownProductIsNotFound() async throws {
        try await withApp { client in
            let response = try await client.send(.put, "/products/99/stock", body: #"{"quantity": 1}"#)
            #expect(response.status == .notFound)
        }
    }

    @Test func stockRequiresTheQuantityField() async throws {
        try await withApp { client in
            let id = try await client.createProduct(quantity: 3)
            let response = try await client.send(.put, "/products/\(id)/stock", body: #"{"stock": 1}"#)
            #expect(response.status == .badRequest)
            #expect(response.json["details"]["quantity"][0].string == "is required")
            #expect(try await client.stock(of: id) == 3)
        }
    }

    // MARK: - Filters

    @Test func qMatchesNamesContainingTheTextIgnoringCase() async throws {
        try await withApp { client in
            let lamp = try await client.createProduct(name: "Desk LAMP")
            let shade = try await client.createProduct(name: "lampshade")
            _ = try await client.createProduct(name: "Chair")
            let response = try await client.get("/products?q=Lamp")
            #expect(response.status == .ok)
            #expect(response.json.array.map(\.["id"].int) == [lamp, shade])
        }
    }

    /// Long texts go through the name index (a trigram table on SQLite): it follows renames and
    /// deletions, matches a text anywhere in the name, and takes quotes and FTS syntax literally.
    @Test func qFollowsRenamesAndDeletionsAndTakesSearchSyntaxLiterally() async throws {
        try await withApp { client in
            let renamed = try await client.createProduct(name: "Plain mug")
            let deleted = try await client.createProduct(name: "Teapot, large")
            let quoted = try await client.createProduct(name: #"The \"Big\" Teapot"#)
            let operators = try await client.createProduct(name: "tea OR coffee*")
            #expect(try await client.patch("/products/\(renamed)", #"{"name": "Striped TEAPOT mug"}"#).status == .ok)
            #expect(try await client.delete("/products/\(deleted)").status == .noContent)

            #expect(try await client.get("/products?q=teapot").json.array.map(\.["id"].int) == [renamed, quoted])
            #expect(try await client.get("/products?q=plain").json.array.isEmpty, "the old name is gone from the index")
            #expect(try await client.get("/products?q=%22Big%22").json.array.map(\.["id"].int) == [quoted])
            #expect(try await client.get("/products?q=tea%20OR%20coffee*").json.array.map(\.["id"].int) == [operators])
            #expect(try await client.get("/products?q=pot%2C").json.array.isEmpty)
        }
    }

    /// Letters beyond ASCII are matched ignoring case too, whichever case the name or the text has
    /// (PostgreSQL compares both in lower case, as its ILIKE does).
    @Test func qIgnoresTheCaseOfLettersBeyondASCII() async throws {
        try await withApp { client in
            let dessert = try await client.createProduct(name: "Crème BRÛLÉE dish")
            let renamed = try await client.createProduct(name: "Plain dish")
            _ = try await client.createProduct(name: "Creme brulee spoon")
            #expect(try await client.patch("/products/\(renamed)", #"{"name": "ÉCLAIR Brûlée plate"}"#).status == .ok)

            #expect(try await client.get("/products?q=br%C3%BBl%C3%A9e").json.array.map(\.["id"].int) == [dessert, renamed])
            #expect(try await client.get("/products?q=CR%C3%88ME").json.array.map(\.["id"].int) == [dessert])
            #expect(try await client.get("/products?q=%C3%A9clair").json.array.map(\.["id"].int) == [renamed])
        }
    }

    /// A search walks the index in id order, so its pages follow each other like any list's.
    @Test func qPagesFollowTheCursor() async throws {
        try await withApp { client in
            var lamps: [Int64] = []
            for index in 0..<5 {
                lamps.append(try await client.createProduct(name: "Lamp \(index)"))
                _ = try await client.createProduct(name: "Chair \(index)")
            }
            let first = try await client.get("/products?q=lamp&limit=2")
            #expect(first.json.array.map(\.["id"].int) == Array(lamps[0..<2]))
            let second = try await client.get("/products?q=lamp&limit=2&after_id=\(lamps[1])")
            #expect(second.json.array.map(\.["id"].int) == Array(lamps[2..<4]))
            #expect(second.headers[Self.link] == "</products?q=lamp&limit=2&after_id=\(lamps[3])>; rel=\"next\"")
        }
    }

    @Test func percentInQMatchesLiterally() async throws {
        try await withApp { client in
            let sale = try await client.createProduct(name: "50% off")
            _ = try await client.createProduct(name: "500 pens")
            let response = try await client.get("/products?q=50%25")
            #expect(response.status == .ok)
            #expect(response.json.array.map(\.["id"].int) == [sale])
        }
    }

    @Test func underscoreInQMatchesLiterally() async throws {
        try await withApp { client in
            let snake = try await client.createProduct(name: "snake_case mug")
            _ = try await client.createProduct(name: "snakeXcase mug")
            let response = try await client.get("/products?q=e_c")
            #expect(response.json.array.map(\.["id"].int) == [snake])
        }
    }

    @Test func backslashInQMatchesLiterally() async throws {
        try await withApp { client in
            let slash = try await client.createProduct(name: #"back\\slash"#)
            _ = try await client.createProduct(name: "backslash")
            let response = try await client.get("/products?q=k%5Cs")
            #expect(response.json.array.map(\.["id"].int) == [slash])
        }
    }

    @Test func priceBoundsAreInclusive() async throws {
        try await withApp { client in
            let below = try await client.createProduct(price: "9.98")
            let exact = try await client.createProduct(price: "9.99")
            let above = try await client.createProduct(price: "10.00")
            #expect(try await client.get("/products?min_price=9.99").json.array.map(\.["id"].int) == [exact, above])
            #expect(try await client.get("/products?max_price=9.99").json.array.map(\.["id"].int) == [below, exact])
            #expect(try await client.get("/products?min_price=9.99&max_price=9.99").json.array.map(\.["id"].int) == [exact])
            #expect(try await client.get("/products?min_price=10").json.array.map(\.["id"].int) == [above])
        }
    }

    @Test func inStockFiltersOnQuantity() async throws {
        try await withApp { client in
            let stocked = try await client.createProduct(quantity: 1)
            let empty = try await client.createProduct(quantity: 0)
            #expect(try await client.get("/products?in_stock=true").json.array.map(\.["id"].int) == [stocked])
            #expect(try await client.get("/products?in_stock=false").json.array.map(\.["id"].int) == [empty])
            #expect(try await client.get("/products").json.array.map(\.["id"].int) == [stocked, empty])
        }
    }

    @Test func filtersCombineWithAnd() async throws {
        try await withApp { client in
            let match = try await client.createProduct(name: "Red pen", price: "2.50", quantity: 5)
            _ = try await client.createProduct(name: "Blue pen", price: "2.50", quantity: 0)   // out of stock
            _ = try await client.createProduct(name: "Gold pen", price: "250.00", quantity: 5) // too dear
            _ = try await client.createProduct(name: "Red cup", price: "2.50", quantity: 5)    // not a pen
            _ = try await client.createProduct(name: "Cheap pen", price: "0.50", quantity: 5)  // too cheap
            let response = try await client.get("/products?q=pen&min_price=1&max_price=9.99&in_stock=true")
            #expect(response.status == .ok)
            #expect(response.json.array.map(\.["id"].int) == [match])
        }
    }

    @Test func filtersThatMatchNothingGiveAnEmptyList() async throws {
        try await withApp { client in
            _ = try await client.createProduct(name: "Widget")
            let response = try await client.get("/products?q=gadget")
            #expect(response.status == .ok)
            #expect(response.json == .array([]))
            #expect(response.headers[Self.link] == nil)
        }
    }

    @Test(arguments: [
        ("limit=0", "limit"), ("limit=201", "limit"), ("limit=abc", "limit"), ("limit=-5", "limit"),
        ("min_price=abc", "min_price"), ("min_price=1.999", "min_price"), ("max_price=-1", "max_price"),
        ("max_price=1000000000.01", "max_price"), ("in_stock=maybe", "in_stock"), ("in_stock=TRUE", "in_stock"),
        ("after_id=-1", "after_id"), ("after_id=abc", "after_id"),
    ])
    func invalidQueryValuesAreRejected(query: String, field: String) async throws {
        try await withApp { client in
            let response = try await client.get("/products?\(query)")
            #expect(response.status == .badRequest)
            #expect(response.json["error"].bool == true)
            #expect(response.json["details"].keys == [field])
        }
    }

    @Test func aMinimumPriceAboveTheMaximumIsRefusedNamingBoth() async throws {
        try await withApp { client in
            let response = try await client.get("/products?min_price=20&max_price=10")
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["min_price"])
            let message = try #require(response.json["details"]["min_price"][0].string)
            #expect(message.contains("max_price"))
            #expect(try await client.get("/products?min_price=10&max_price=10").status == .ok)
        }
    }

    @Test func everyInvalidQueryValueIsReportedAtOnce() async throws {
        try await withApp { client in
            let response = try await client.get("/products?limit=0&min_price=x&in_stock=maybe")
            #expect(response.status == .badRequest)
            #expect(response.json["details"].keys == ["limit", "min_price", "in_stock"])
        }
    }

    @Test func limitsAtTheEdgesAreAccepted() async throws {
        try await withApp { client in
            let first = try await client.createProduct()
            _ = try await client.createProduct()
            let one = try await client.get("/products?limit=1")
            #expect(one.status == .ok)
            #expect(one.json.array.map(\.["id"].int) == [first])
            let most = try await client.get("/products?limit=200")
            #expect(most.status == .ok)
            #expect(most.json.array.count == 2)
        }
    }

    // MARK: - Pagination

    @Test func followingNextLinksVisitsEveryProductOnceInOrder() async throws {
        try await withApp { client in
            var created: [Int64] = []
            for index in 1...7 { created.append(try await client.createProduct(name: "Item \(index)")) }
            let (pages, links, lastHadLink) = try await Self.pages(from: "/products?limit=3", client)
            #expect(pages.map(\.count) == [3, 3, 1])
            let visited = pages.flatMap { $0 }
            #expect(visited == created.sorted())
            #expect(Set(visited).count == 7)
            #expect(links.count == 2)
            #expect(!lastHadLink)
        }
    }

    @Test func nextLinksKeepTheFilters() async throws {
        try await withApp { client in
            var pens: [Int64] = []
            for index in 1...5 {
                pens.append(try await client.createProduct(name: "Pen \(index)"))
                _ = try await client.createProduct(name: "Cup \(index)")
            }
            let (pages, links, _) = try await Self.pages(from: "/products?q=pen&limit=2", client)
            #expect(pages.map(\.count) == [2, 2, 1])
            #expect(pages.flatMap { $0 } == pens)
            #expect(links.count == 2)
            #expect(links.allSatisfy { $0.hasPrefix("/products?") && $0.contains("q=pen") && $0.contains("limit=2") })
        }
    }

    @Test func nextLinksKeepAnEncodedPercentFilter() async throws {
        try await withApp { client in
            let first = try await client.createProduct(name: "50% off lamps")
            _ = try await client.createProduct(name: "500 pens")
            let second = try await client.createProduct(name: "50% off chairs")
            let (pages, _, _) = try await Self.pages(from: "/products?q=50%25&limit=1", client)
            #expect(pages == [[first], [second]])
        }
    }

    @Test func deletedProductsAreSkippedByPaging() async throws {
        try await withApp { client in
            var created: [Int64] = []
            for _ in 1...6 { created.append(try await client.createProduct()) }
            #expect(try await client.delete("/products/\(created[1])").status == .noContent)
            #expect(try await client.delete("/products/\(created[4])").status == .noContent)
            let (pages, _, _) = try await Self.pages(from: "/products?limit=2", client)
            #expect(pages.flatMap { $0 } == [created[0], created[2], created[3], created[5]])
            #expect(pages.map(\.count) == [2, 2])
        }
    }

    // MARK: - Bodies that are not JSON objects

    @Test func plainTextBodiesAreUnsupported() async throws {
        try await withApp { client in
            let response = try await client.send(.post, "/products", body: #"{"name": "X", "price": 1, "quantity": 1}"#,
                                                 headers: [.contentType: "text/plain"])
            #expect(response.status == .unsupportedMediaType)
            #expect(response.json["error"].bool == true)
            #expect(try await client.get("/products").json.array.isEmpty)
        }
    }

    @Test func plainTextIsUnsupportedOnUpdatesToo() async throws {
        try await withApp { client in
            let id = try await client.createProduct(quantity: 2)
            for (method, path) in [(HTTPRequest.Method.put, "/products/\(id)"), (.patch, "/products/\(id)"), (.put, "/products/\(id)/stock")] {
                let response = try await client.send(method, path, body: #"{"name": "X", "price": 1, "quantity": 1}"#,
                                                     headers: [.contentType: "text/plain"])
                #expect(response.status == .unsupportedMediaType, "\(method) \(path)")
            }
            #expect(try await client.stock(of: id) == 2)
        }
    }

    @Test func malformedJSONIsABadRequest() async throws {
        try await withApp { client in
            let response = try await client.post("/products", #"{"name": "X", "price": 1,"#)
            #expect(response.status == .badRequest)
            #expect(response.json["error"].bool == true)
            #expect(try await client.get("/products").json.array.isEmpty)
        }
    }

    @Test func aJSONArrayBodyIsABadRequest() async throws {
        try await withApp { client in
            let response = try await client.post("/products", #"[{"name": "X", "price": 1, "quantity": 1}]"#)
            #expect(response.status == .badRequest)
            #expect(response.json["error"].bool == true)
            #expect(try await client.get("/products").json.array.isEmpty)
        }
    }

    @Test func anEmptyBodyIsABadRequest() async throws {
        try await withApp { client in
            let response = try await client.post("/products", "")
            #expect(response.status == .badRequest)
            #expect(response.json["error"].bool == true)
            let id = try await client.createProduct()
            #expect(try await client.patch("/products/\(id)", "").status == .badRequest)
        }
    }

    // MARK: - Helpers

    private static let link = HTTPField.Name("Link")!

    /// Follows `Link: <PATH?QUERY>; rel="next"` from `start` until there is none: the ids of each page,
    /// the links followed, and whether the last page still had a link (a runaway guard stops at 20 pages).
    private static func pages(
        from start: String, _ client: APIClient
    ) async throws -> (pages: [[Int64]], links: [String], lastHadLink: Bool) {
        var pages: [[Int64]] = []
        var links: [String] = []
        var next: String? = start
        while let uri = next, pages.count < 20 {
            let response = try await client.get(uri)
            #expect(response.status == .ok, "\(uri): \(response.body)")
            pages.append(response.json.array.compactMap(\.["id"].int))
            next = try nextLink(response)
            if let next { links.append(next) }
        }
        return (pages, links, next != nil)
    }

    /// The literal text of the first `"price":` value in a raw body, e.g. `19.99`, to catch float noise.
    private static func priceText(in body: String) -> String? {
        guard let start = body.range(of: #""price":"#)?.upperBound else { return nil }
        return String(body[start...].prefix { $0 != "," && $0 != "}" && $0 != "]" })
    }

    private static func nextLink(_ response: APIResponse) throws -> String? {
        guard let value = response.headers[link] else { return nil }
        let prefix = "<", suffix = #">; rel="next""#
        try #require(value.hasPrefix(prefix) && value.hasSuffix(suffix), "unexpected Link header: \(value)")
        return String(value.dropFirst(prefix.count).dropLast(suffix.count))
    }
}
