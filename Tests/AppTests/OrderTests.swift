import App
import Foundation
import HummingbirdTesting
import Testing

@Suite struct OrderTests {
    @Test func totalsAreExact() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let dime = try await client.createProduct(name: "Dime", price: "0.10")
            let book = try await client.createProduct(name: "Book", price: "19.99")
            let response = try await client.placeOrder(userID: user, items: [(dime, 3), (book, 2)])
            #expect(response.status == .created)
            let order = response.json
            #expect(order["items"][0]["line_total"].decimal == Decimal(exactly: "0.3"))
            #expect(order["items"][1]["line_total"].decimal == Decimal(exactly: "39.98"))
            #expect(order["total_price"].decimal == Decimal(exactly: "40.28"))
            #expect(response.body.contains(#""total_price":40.28"#))
            #expect(order["status"].string == "placed")
            #expect(order.keys == ["id", "user_id", "date", "status", "items", "total_price", "currency", "payment_status",
                                   "fulfillment_status", "amount_paid", "amount_refunded", "created_at", "updated_at"])
            #expect(order["items"][0].keys == ["product_id", "name", "quantity", "unit_price", "line_total"])
        }
    }

    @Test func placingTakesStockAndTheOrderReadsBack() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(quantity: 10)
            let placed = try await client.placeOrder(userID: user, items: [(product, 4)])
            let id = try #require(placed.json["id"].int)
            #expect(try await client.stock(of: product) == 6)
            let read = try await client.get("/orders/\(id)")
            #expect(read.status == .ok)
            #expect(read.json == placed.json)
        }
    }

    @Test func productIDsAreAcceptedAsTheOldServiceSentThem() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let first = try await client.createProduct(price: "1.50")
            let second = try await client.createProduct(price: "2.25")
            let response = try await client.post("/orders", #"{"user_id": \#(user), "product_ids": [\#(first), \#(second)], "date": "2024-02-29"}"#)
            #expect(response.status == .created)
            #expect(response.json["items"].array.map(\.["quantity"].int) == [1, 1])
            #expect(response.json["total_price"].decimal == Decimal(exactly: "3.75"))
            #expect(response.json["date"].string == "2024-02-29")
        }
    }

    @Test func aShortLineFailsTheWholeOrderAndNamesTheProduct() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let plenty = try await client.createProduct(quantity: 50)
            let scarce = try await client.createProduct(quantity: 2)
            let response = try await client.placeOrder(userID: user, items: [(plenty, 5), (scarce, 3)])
            #expect(response.status == .conflict)
            #expect(response.json["product_ids"].array.map(\.int) == [scarce])
            #expect(try await client.stock(of: plenty) == 50)
            #expect(try await client.stock(of: scarce) == 2)
            #expect(try await client.get("/orders").json.array.isEmpty)
        }
    }

    @Test func aClientTotalThatDiffersIsAConflictAndStoresNothing() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(price: "19.99", quantity: 5)
            let body = #"{"user_id": \#(user), "items": [{"product_id": \#(product), "quantity": 2}], "total_price": 40.00}"#
            let response = try await client.post("/orders", body)
            #expect(response.status == .conflict)
            #expect(!response.json["details"]["total_price"].isNull)
            #expect(try await client.stock(of: product) == 5)
            #expect(try await client.get("/orders").json.array.isEmpty)

            let matching = try await client.post("/orders", body.replacingOccurrences(of: "40.00", with: "39.98"))
            #expect(matching.status == .created)
        }
    }

    @Test func unknownUserOrProductIsABadRequest() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct()
            let noUser = try await client.placeOrder(userID: 9999, items: [(product, 1)])
            #expect(noUser.status == .badRequest)
            #expect(!noUser.json["details"]["user_id"].isNull)

            let noProduct = try await client.placeOrder(userID: user, items: [(product, 1), (8888, 1)])
            #expect(noProduct.status == .badRequest)
            #expect(noProduct.json["details"]["items[1].product_id"][0].string == "there is no product with id 8888")
            #expect(try await client.stock(of: product) == 100)
        }
    }

    @Test func invalidLinesAreAllReported() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct()
            let response = try await client.post("/orders", #"""
                {"user_id": "1", "items": [{"product_id": \#(product), "quantity": 0}, {"product_id": \#(product), "quantity": 10001}, {"quantity": 1}, 7], "date": "2023-02-29"}
                """#)
            #expect(response.status == .badRequest)
            let details = response.json["details"]
            #expect(details.keys == ["user_id", "items[0].quantity", "items[1].quantity", "items[2].product_id", "items[3]", "date"])
            _ = user
        }
    }

    @Test(arguments: [
        #""items": []"#, #""items": {}"#, #""product_ids": []"#, #""product_ids": [1, 1]"#,
        #""items": [{"product_id": 1, "quantity": 1}, {"product_id": 1, "quantity": 2}]"#,
        #""items": [{"product_id": 1, "quantity": 1}], "product_ids": [1]"#, #""items": null"#,
    ])
    func malformedLinesAreRejected(lines: String) async throws {
        try await withApp { client in
            let user = try await client.createUser()
            _ = try await client.createProduct()
            let response = try await client.post("/orders", #"{"user_id": \#(user), \#(lines)}"#)
            #expect(response.status == .badRequest, "\(response.body)")
            #expect(response.json["error"].bool == true)
        }
    }

    /// A refused product is named where the client wrote it: `product_ids[1]`, not a line field it never sent.
    @Test func refusedProductsAreNamedByThePathTheClientSent() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct()
            let unknown = try await client.post("/orders", #"{"user_id": \#(user), "product_ids": [\#(product), 999999]}"#)
            #expect(unknown.status == .badRequest && unknown.json["details"].keys == ["product_ids[1]"])
            let lines = try await client.post("/orders", #"{"user_id": \#(user), "items": [{"product_id": 999999, "quantity": 1}]}"#)
            #expect(lines.status == .badRequest && lines.json["details"].keys == ["items[0].product_id"])
        }
    }

    @Test func moreThanAHundredLinesAreRejected() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let ids = (1...101).map(String.init).joined(separator: ", ")
            let response = try await client.post("/orders", #"{"user_id": \#(user), "product_ids": [\#(ids)]}"#)
            #expect(response.status == .badRequest)
            #expect(!response.json["details"]["product_ids"].isNull)
        }
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "2024-1-01", "24-01-01", "2024-04-31", "today", "2024-01-01T00:00:00Z"])
    func datesMustBeRealCalendarDays(date: String) async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct()
            let response = try await client.post("/orders", #"{"user_id": \#(user), "product_ids": [\#(product)], "date": "\#(date)"}"#)
            #expect(response.status == .badRequest)
            #expect(!response.json["details"]["date"].isNull)
        }
    }

    @Test func theDateDefaultsToTodayInUTC() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct()
            let before = Date()
            let response = try await client.post("/orders", #"{"user_id": \#(user), "product_ids": [\#(product)]}"#)
            let after = Date()
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withFullDate]
            // Either day when the order was placed across midnight.
            let days = Set([before, after].map(formatter.string(from:)))
            #expect(response.json["date"].string.map(days.contains) == true, "\(response.body), not one of \(days)")
        }
    }

    @Test func snapshotsSurviveProductChangesAndDeletion() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(name: "Original", price: "5.00")
            let placed = try await client.placeOrder(userID: user, items: [(product, 2)])
            let id = try #require(placed.json["id"].int)
            #expect(try await client.patch("/products/\(product)", #"{"name": "Renamed", "price": 7.50}"#).status == .ok)
            #expect(try await client.delete("/products/\(product)").status == .noContent)
            let read = try await client.get("/orders/\(id)")
            #expect(read.json["items"][0]["name"].string == "Original")
            #expect(read.json["items"][0]["unit_price"].decimal == Decimal(exactly: "5"))
            #expect(read.json["total_price"].decimal == Decimal(exactly: "10"))
        }
    }

    @Test func cancellingRestoresStockExactlyOnce() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(quantity: 10)
            let id = try #require(try await client.placeOrder(userID: user, items: [(product, 7)]).json["id"].int)
            #expect(try await client.stock(of: product) == 3)

            let cancelled = try await client.delete("/orders/\(id)")
            #expect(cancelled.status == .ok)
            #expect(cancelled.json["status"].string == "cancelled")
            #expect(try await client.stock(of: product) == 10)

            let again = try await client.delete("/orders/\(id)")
            #expect(again.status == .conflict)
            #expect(try await client.stock(of: product) == 10)
            #expect(try await client.get("/orders/\(id)").json["status"].string == "cancelled")
            #expect(try await client.delete("/orders/999").status == .notFound)
        }
    }

    @Test func cancellingAnOrderOfADeletedProductStillRestoresItsStock() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct(quantity: 4)
            let id = try #require(try await client.placeOrder(userID: user, items: [(product, 4)]).json["id"].int)
            #expect(try await client.delete("/products/\(product)").status == .noContent)
            #expect(try await client.delete("/orders/\(id)").status == .ok)
        }
    }

    @Test func deletedProductsCannotBeOrdered() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct()
            #expect(try await client.delete("/products/\(product)").status == .noContent)
            #expect(try await client.placeOrder(userID: user, items: [(product, 1)]).status == .badRequest)
        }
    }

    @Test func listsFilterByUserAndStatus() async throws {
        try await withApp { client in
            let ann = try await client.createUser(email: "ann@example.com")
            let bob = try await client.createUser(email: "bob@example.com")
            let product = try await client.createProduct()
            let first = try #require(try await client.placeOrder(userID: ann, items: [(product, 1)]).json["id"].int)
            let second = try #require(try await client.placeOrder(userID: bob, items: [(product, 1)]).json["id"].int)
            let third = try #require(try await client.placeOrder(userID: ann, items: [(product, 1)]).json["id"].int)
            #expect(try await client.delete("/orders/\(third)").status == .ok)

            #expect(try await client.get("/orders").json.array.map(\.["id"].int) == [first, second, third])
            #expect(try await client.get("/orders?user_id=\(ann)").json.array.map(\.["id"].int) == [first, third])
            #expect(try await client.get("/orders?status=cancelled").json.array.map(\.["id"].int) == [third])
            #expect(try await client.get("/orders?user_id=\(ann)&status=placed").json.array.map(\.["id"].int) == [first])
            #expect(try await client.get("/users/\(bob)/orders").json.array.map(\.["id"].int) == [second])
            #expect(try await client.get("/orders").json[0]["items"].array.count == 1)

            #expect(try await client.get("/users/9999/orders").status == .notFound)
            #expect(try await client.get("/orders?status=shipped").status == .badRequest)
            #expect(try await client.get("/orders?user_id=abc").status == .badRequest)
        }
    }

    @Test func orderListsPageThroughEveryOrderOnce() async throws {
        try await withApp { client in
            let user = try await client.createUser()
            let product = try await client.createProduct()
            var placed: [Int64] = []
            for _ in 0..<5 {
                placed.append(try #require(try await client.placeOrder(userID: user, items: [(product, 1)]).json["id"].int))
            }
            var seen: [Int64] = []
            var next: String? = "/users/\(user)/orders?limit=2"
            while let uri = next {
                let page = try await client.get(uri)
                #expect(page.status == .ok)
                seen += page.json.array.compactMap(\.["id"].int)
                next = page.headers[.init("Link")!].flatMap { $0.split(separator: ">").first.map { String($0.dropFirst()) } }
            }
            #expect(seen == placed)
        }
    }
}
