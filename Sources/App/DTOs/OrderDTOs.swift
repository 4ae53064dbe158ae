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
    /// Where the lines came from, so a refused product is named by the path the client sent.
    var linesField = LinesField.items

    enum LinesField: Sendable {
        case items, productIDs

        /// The JSON path of line `index`'s product.
        func productPath(at index: Int) -> String {
            switch self {
            case .items: "items[\(index)].product_id"
            case .productIDs: "product_ids[\(index)]"
            }
        }
    }

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
            linesField = .productIDs
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
        guard let items = reader.productQuantities("items", required: true) else { return nil }
        return uniqueLines(items.map { $0.map { OrderLineRequest(productID: $0.productID, quantity: $0.quantity) } },
                           "items", field: ".product_id", &reader)
    }

    private static func readProductIDs(_ reader: inout FieldReader) -> [OrderLineRequest]? {
        guard let elements = reader.array("product_ids", required: true),
              reader.checkLineCount(elements, "product_ids")
        else { return nil }
        let lines = elements.enumerated().map { index, element in
            reader.integer(element: element, at: index, of: "product_ids", in: 1...Int64.max)
                .map { OrderLineRequest(productID: $0, quantity: 1) }
        }
        return uniqueLines(lines, "product_ids", field: "", &reader)
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
    let order: Order
    let currency: Currency

    init(_ order: Order, currency: Currency) {
        self.order = order
        self.currency = currency
    }

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("id", order.id)
            object.field("user_id", order.userID)
            object.field("date", order.date)
            object.field("status", order.status.rawValue)
            object.field("items", order.lines.map(OrderLineResponse.init))
            object.field("total_price", order.totalPrice)
            object.field("currency", currency.code)
            object.field("payment_status", order.paymentStatus.rawValue)
            object.field("fulfillment_status", order.fulfillmentStatus.rawValue)
            object.field("amount_paid", order.amountPaid)
            object.field("amount_refunded", order.amountRefunded)
            object.field("created_at", order.createdAt)
            object.field("updated_at", order.updatedAt)
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
