import JSONSupport
import Foundation

/// `POST /orders`. Lines come as `items` or, as the old service sent them, `product_ids` (one unit each).
/// Prices are never read from the client: `total_price`, when sent, is only compared with the
/// server's total.
public struct PlaceOrderRequest: Sendable {
    var userID: Int64
    var lines: [OrderLineRequest]
    var date: String?
    var expectedTotal: Money?

    init(userID: Int64, lines: [OrderLineRequest]) {
        self.userID = userID
        self.lines = lines
    }

    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let userID = reader.integer("user_id", required: true, in: 1...Int64.max)
        let lines: [OrderLineRequest]?
        if reader.contains("items") && reader.contains("product_ids") {
            reader.report("items", "send either items or product_ids, not both")
            lines = nil
        } else if reader.contains("product_ids") {
            lines = Self.readProductIDs(&reader)
        } else {
            lines = Self.readItems(&reader)
        }
        date = reader.string("date", required: false, rule: OrderRules.date)
        expectedTotal = reader.money("total_price", required: false, in: Money.zero...Money(cents: Int64.max / 2))
        guard let userID, let lines, reader.problems.isEmpty else { throw .validation(reader.problems) }
        self.userID = userID
        self.lines = lines
    }

    private static func readItems(_ reader: inout FieldReader) -> [OrderLineRequest]? {
        guard let elements = reader.array("items", required: true), checkCount(elements, "items", &reader) else {
            return nil
        }
        let lines = elements.enumerated().map { index, element -> OrderLineRequest? in
            guard case .object(let object) = element else {
                reader.report("items[\(index)]", "must be an object, not \(element.typeName)")
                return nil
            }
            var item = FieldReader(nested: object, path: "items[\(index)]")
            let productID = item.integer("product_id", required: true, in: 1...Int64.max)
            let quantity = item.integer("quantity", required: true, in: OrderRules.lineQuantity)
            reader.absorb(item)
            return productID.flatMap { id in quantity.map { OrderLineRequest(productID: id, quantity: $0) } }
        }
        return uniqueLines(lines, "items", field: ".product_id", &reader)
    }

    private static func readProductIDs(_ reader: inout FieldReader) -> [OrderLineRequest]? {
        guard let elements = reader.array("product_ids", required: true),
              checkCount(elements, "product_ids", &reader)
        else { return nil }
        let lines = elements.enumerated().map { index, element in
            reader.integer(element: element, at: index, of: "product_ids", in: 1...Int64.max)
                .map { OrderLineRequest(productID: $0, quantity: 1) }
        }
        return uniqueLines(lines, "product_ids", field: "", &reader)
    }

    private static func checkCount(_ elements: [JSONValue], _ key: String, _ reader: inout FieldReader) -> Bool {
        guard OrderRules.lineCount.contains(elements.count) else {
            reader.report(key, "must hold \(OrderRules.lineCount.lowerBound) to \(OrderRules.lineCount.upperBound) lines")
            return false
        }
        return true
    }

    /// Each product may appear once; the lines are returned only when all of them are valid.
    private static func uniqueLines(
        _ lines: [OrderLineRequest?], _ key: String, field: String, _ reader: inout FieldReader
    ) -> [OrderLineRequest]? {
        var seen = Set<Int64>()
        for (index, line) in lines.enumerated() {
            if let line, !seen.insert(line.productID).inserted {
                reader.report("\(key)[\(index)]\(field)", "product \(line.productID) appears more than once")
            }
        }
        let valid = lines.compactMap { $0 }
        return valid.count == lines.count ? valid : nil
    }
}

extension PlaceOrderRequest {
    /// What makes two requests "the same" for an idempotency key: every field that affects the order.
    var fingerprint: String {
        let lines = lines.map { "\($0.productID)x\($0.quantity)" }.joined(separator: ",")
        return "user_id=\(userID);items=\(lines);date=\(date ?? "");total_price=\(expectedTotal?.description ?? "")"
    }

    /// The `Idempotency-Key` header: 1–255 printable ASCII characters.
    static func idempotencyKey(_ header: String?) throws(AppError) -> String? {
        guard let header else { return nil }
        guard (1...255).contains(header.utf8.count), header.utf8.allSatisfy({ (0x20...0x7E).contains($0) }) else {
            throw .validation(["Idempotency-Key": ["must be 1 to 255 printable ASCII characters"]])
        }
        return header
    }
}

struct OrderLineRequest: Sendable, Equatable {
    var productID: Int64
    var quantity: Int64
}

struct OrderResponse: JSONResponse {
    let id: Int64
    let userID: Int64
    let date: String
    let status: String
    let items: [OrderLineResponse]
    let totalPrice: Money
    let createdAt: Date
    let updatedAt: Date

    init(_ order: Order) {
        id = order.id
        userID = order.userID
        date = order.date
        status = order.status.rawValue
        items = order.lines.map(OrderLineResponse.init)
        totalPrice = order.totalPrice
        createdAt = order.createdAt
        updatedAt = order.updatedAt
    }

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("id", id)
            object.field("user_id", userID)
            object.field("date", date)
            object.field("status", status)
            object.field("items", items)
            object.field("total_price", totalPrice)
            object.field("created_at", createdAt)
            object.field("updated_at", updatedAt)
        }
    }
}

struct OrderLineResponse: JSONWritable, Sendable {
    let productID: Int64
    let name: String
    let quantity: Int64
    let unitPrice: Money
    let lineTotal: Money

    init(_ line: OrderLine) {
        productID = line.productID
        name = line.name
        quantity = line.quantity
        unitPrice = line.unitPrice
        lineTotal = line.lineTotal
    }

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("product_id", productID)
            object.field("name", name)
            object.field("quantity", quantity)
            object.field("unit_price", unitPrice)
            object.field("line_total", lineTotal)
        }
    }
}
