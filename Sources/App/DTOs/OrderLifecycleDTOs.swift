import Foundation
import JSONSupport

extension OrderLifecycleService.PaymentDraft {
    /// `POST /orders/{id}/payments`: a payment the shop received by hand.
    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let amount = reader.money("amount", required: true, in: OrderRules.paymentAmount)
        let method = reader.string("method", required: true) { PaymentMethod(rawValue: $0) == nil ? OrderRules.paymentMethodProblem : nil }
        let reference = reader.nullableString("reference", rule: TextRule.line(1...255)) ?? nil
        guard let amount, let method = method.flatMap(PaymentMethod.init(rawValue:)), reader.problems.isEmpty else {
            throw .validation(reader.problems)
        }
        self.init(amount: amount, method: method, reference: reference)
    }

    /// What makes two requests "the same" for an idempotency key.
    func fingerprint(orderID: Int64) -> String {
        "payment;order=\(orderID);amount=\(amount);method=\(method.rawValue);reference=\(reference ?? "")"
    }
}

extension OrderLifecycleService.RefundDraft {
    /// `POST /orders/{id}/refunds`: money back, and optionally units back on the shelf.
    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let amount = reader.money("amount", required: true, in: OrderRules.refundAmount)
        let reason = reader.nullableString("reason", rule: TextRule.line(1...500)) ?? nil
        let restock = reader.productQuantities("restock", required: false)
        guard let amount, reader.problems.isEmpty else { throw .validation(reader.problems) }
        self.init(amount: amount, reason: reason, restock: restock?.compactMap { $0 } ?? [])
    }

    func fingerprint(orderID: Int64) -> String {
        let restock = restock.map { "\($0.productID)x\($0.quantity)" }.joined(separator: ",")
        return "refund;order=\(orderID);amount=\(amount);reason=\(reason ?? "");restock=\(restock)"
    }
}

extension OrderLifecycleService.FulfillmentDraft {
    /// `POST /orders/{id}/fulfillments`: a shipment, of the named items or of everything left.
    init(body: JSONValue) throws(AppError) {
        var reader = try FieldReader(body: body)
        let items = reader.productQuantities("items", required: false)
        let carrier = reader.nullableString("carrier", rule: TextRule.line(1...100)) ?? nil
        let trackingNumber = reader.nullableString("tracking_number", rule: TextRule.line(1...100)) ?? nil
        let trackingURL = reader.nullableString("tracking_url", rule: OrderRules.trackingURL) ?? nil
        guard reader.problems.isEmpty else { throw .validation(reader.problems) }
        self.init(items: items?.compactMap { $0 }, carrier: carrier, trackingNumber: trackingNumber, trackingURL: trackingURL)
    }
}

struct PaymentResponse: JSONResponse {
    let payment: Payment

    init(_ payment: Payment) { self.payment = payment }

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("id", payment.id)
            object.field("order_id", payment.orderID)
            object.field("provider", payment.provider.rawValue)
            object.field("method", payment.method.rawValue)
            object.field("amount", payment.amount)
            object.field("reference", payment.reference)
            object.field("created_at", payment.createdAt)
        }
    }
}

struct RefundResponse: JSONResponse {
    let refund: Refund

    init(_ refund: Refund) { self.refund = refund }

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("id", refund.id)
            object.field("order_id", refund.orderID)
            object.field("amount", refund.amount)
            object.field("reason", refund.reason)
            object.field("restock", refund.restock.map(ItemQuantityResponse.init))
            object.field("created_at", refund.createdAt)
        }
    }
}

struct FulfillmentResponse: JSONResponse {
    let fulfillment: Fulfillment

    init(_ fulfillment: Fulfillment) { self.fulfillment = fulfillment }

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("id", fulfillment.id)
            object.field("order_id", fulfillment.orderID)
            object.field("items", fulfillment.items.map(ItemQuantityResponse.init))
            object.field("carrier", fulfillment.carrier)
            object.field("tracking_number", fulfillment.trackingNumber)
            object.field("tracking_url", fulfillment.trackingURL)
            object.field("created_at", fulfillment.createdAt)
        }
    }
}

struct ItemQuantityResponse: JSONWritable, Sendable {
    let item: ItemQuantity

    func write(to json: inout JSONWriter) {
        json.object { object in
            object.field("product_id", item.productID)
            object.field("quantity", item.quantity)
        }
    }
}
