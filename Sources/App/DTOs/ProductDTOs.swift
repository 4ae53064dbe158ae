import Foundation

enum ProductRules {
    static let price = Money.zero...Money(cents: 100_000_000_000)
    static let quantity: ClosedRange<Int64> = 0...1_000_000_000
    static let name = TextRule.line(1...255)
    static let description = TextRule.length(0...10_000)
    static let sku = TextRule.line(1...64)
}

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
    static let delta: ClosedRange<Int64> = -1_000_000_000...1_000_000_000

    var delta: Int64
    var reason: String?

    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let delta = reader.integer("delta", required: true, in: Self.delta)
        if delta == 0 { reader.report("delta", "must not be zero") }
        reason = reader.nullableString("reason", rule: TextRule.line(1...500)) ?? nil
        guard let delta, reader.problems.isEmpty else { throw .validation(reader.problems) }
        self.delta = delta
    }
}

struct StockMovementResponse: Encodable, Sendable {
    let id: Int64
    let productID: Int64
    let delta: Int64
    let quantityAfter: Int64
    let kind: String
    let reason: Nullable<String>
    let orderID: Nullable<Int64>
    let createdAt: Date

    init(_ movement: StockMovement) {
        id = movement.id
        productID = movement.productID
        delta = movement.delta
        quantityAfter = movement.quantityAfter
        kind = movement.kind.rawValue
        reason = Nullable(movement.reason)
        orderID = Nullable(movement.orderID)
        createdAt = movement.createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, delta, kind, reason
        case productID = "product_id"
        case quantityAfter = "quantity_after"
        case orderID = "order_id"
        case createdAt = "created_at"
    }
}

struct ProductResponse: Encodable, Sendable {
    let id: Int64
    let name: String
    let description: Nullable<String>
    let sku: Nullable<String>
    let price: Money
    let quantity: Int64
    let createdAt: Date
    let updatedAt: Date

    init(_ product: Product) {
        id = product.id
        name = product.name
        description = Nullable(product.description)
        sku = Nullable(product.sku)
        price = product.price
        quantity = product.quantity
        createdAt = product.createdAt
        updatedAt = product.updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, sku, price, quantity
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// An optional written as `null` when absent, so every object of a type has the same keys
/// (synthesized `Encodable` leaves nil optionals out).
struct Nullable<Wrapped: Encodable & Sendable>: Encodable, Sendable {
    let value: Wrapped?

    init(_ value: Wrapped?) {
        self.value = value
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
