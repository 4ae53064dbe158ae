import JSONSupport
import Foundation

/// `POST /products` and `PUT /products/{id}`: name, price and quantity required; description and sku
/// optional (absent or null means none).
struct ProductDraft: Sendable {
    var fields: ProductFields
    var quantity: Int64

    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let patch = ProductPatch(reading: &reader, required: true)
        guard let name = patch.name, let price = patch.price, let quantity = patch.quantity,
              reader.problems.isEmpty
        else { throw .validation(reader.problems) }
        fields = ProductFields(name: name, description: patch.description ?? nil, sku: patch.sku ?? nil, price: price)
        self.quantity = quantity
    }
}

/// `PATCH /products/{id}`: any subset; null clears description or sku.
struct ProductPatch: Sendable {
    var name: String?
    var description: String??
    var sku: String??
    var price: Money?
    var quantity: Int64?

    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        self.init(reading: &reader, required: false)
        try reader.finish()
    }

    fileprivate init(reading reader: inout FieldReader, required: Bool) {
        name = reader.string("name", required: required, rule: ProductRules.name)
        description = reader.nullableString("description", rule: ProductRules.description)
        sku = reader.nullableString("sku", rule: ProductRules.sku)
        price = reader.money("price", required: required, in: ProductRules.price)
        quantity = reader.integer("quantity", required: required, in: ProductRules.quantity)
    }

    func apply(to fields: inout ProductFields) {
        if let name { fields.name = name }
        if let description { fields.description = description }
        if let sku { fields.sku = sku }
        if let price { fields.price = price }
    }
}

/// `PUT /products/{id}/stock`: the new absolute stock level and, for a compare-and-set, the level
/// the client believes the stock is at.
struct StockLevelRequest: Sendable {
    var quantity: Int64
    var expectedQuantity: Int64?

    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let quantity = reader.integer("quantity", required: true, in: ProductRules.quantity)
        expectedQuantity = reader.integer("expected_quantity", required: false, in: 0...Int64.max)
        guard let quantity, reader.problems.isEmpty else { throw .validation(reader.problems) }
        self.quantity = quantity
    }
}

/// `POST /products/{id}/stock/adjustments`: a relative change, e.g. -3 for breakage.
struct StockAdjustmentRequest: Sendable {
    var delta: Int64
    var reason: String?

    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let delta = reader.integer("delta", required: true, in: ProductRules.stockDelta)
        if delta == 0 { reader.report("delta", "must not be zero") }
        reason = reader.nullableString("reason", rule: TextRule.line(1...500)) ?? nil
        guard let delta, reader.problems.isEmpty else { throw .validation(reader.problems) }
        self.delta = delta
    }
}

struct StockMovementResponse: JSONResponse {
    let id: Int64
    let productID: Int64
    let delta: Int64
    let quantityAfter: Int64
    let kind: String
    let reason: String?
    let orderID: Int64?
    let createdAt: Date

    init(_ movement: StockMovement) {
        id = movement.id
        productID = movement.productID
        delta = movement.delta
        quantityAfter = movement.quantityAfter
        kind = movement.kind.rawValue
        reason = movement.reason
        orderID = movement.orderID
        createdAt = movement.createdAt
    }

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("id", id)
            object.field("product_id", productID)
            object.field("delta", delta)
            object.field("quantity_after", quantityAfter)
            object.field("kind", kind)
            object.field("reason", reason)
            object.field("order_id", orderID)
            object.field("created_at", createdAt)
        }
    }
}

struct ProductResponse: JSONResponse {
    let id: Int64
    let name: String
    let description: String?
    let sku: String?
    let price: Money
    let quantity: Int64
    let createdAt: Date
    let updatedAt: Date

    init(_ product: Product) {
        id = product.id
        name = product.name
        description = product.description
        sku = product.sku
        price = product.price
        quantity = product.quantity
        createdAt = product.createdAt
        updatedAt = product.updatedAt
    }

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("id", id)
            object.field("name", name)
            object.field("description", description)
            object.field("sku", sku)
            object.field("price", price)
            object.field("quantity", quantity)
            object.field("created_at", createdAt)
            object.field("updated_at", updatedAt)
        }
    }
}
