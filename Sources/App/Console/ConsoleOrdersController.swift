import JSONSupport
import Hummingbird

/// `/admin/orders`: orders and what happens to them after placement, through the same services and
/// request types as `/orders`. Payments and refunds are recorded once per form drawn: each carries
/// an idempotency key, so a form sent twice (a double click, a reload) moves the money once.
struct ConsoleOrdersController {
    let orders: OrderService
    let lifecycle: OrderLifecycleService
    let pages: ConsolePages

    /// How many payments, refunds and fulfilments an order's page lists.
    static let recordsShown = PageRequest(limit: PageRequest.limitRange.upperBound)

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("orders", use: list)
        group.get("orders/:id", use: show)
        group.post("orders/:id/cancel", use: cancel)
        group.post("orders/:id/payments", use: pay)
        group.post("orders/:id/fulfillments", use: fulfil)
        group.post("orders/:id/refunds", use: refund)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        var query = QueryReader(request)
        var filter = OrderFilter(query: &query)
        filter.userID = query.integer("user_id", in: 1...Int64.max)
        let page = query.page()
        try query.finish()
        let found = try await orders.list(filter, page)
        let choices: [(String, String, [String], String?)] = [
            ("status", "Status", OrderStatus.allCases.map(\.rawValue), filter.status?.rawValue),
            ("payment_status", "Payment", PaymentStatus.allCases.map(\.rawValue), filter.paymentStatus?.rawValue),
            ("fulfillment_status", "Fulfilment", FulfillmentStatus.allCases.map(\.rawValue), filter.fulfillmentStatus?.rawValue),
        ]
        var values: [String: Any] = [
            "orders": found.items.map(pages.view), "tableID": "orders", "userID": filter.userID.map(String.init) ?? "",
            "filters": choices.map { name, label, options, chosen in
                ["name": name, "label": label,
                 "options": options.map { ["value": $0, "selected": $0 == chosen] as [String: Any] }] as [String: Any]
            },
        ]
        if let next = found.nextAfterID { values["nextPage"] = request.nextPageLink(afterID: next) }
        return pages.page("orders", title: "Orders", section: .orders, values, request: request, context: context)
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await orderPage(try context.id(), request, context)
    }

    @Sendable func cancel(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context) { id, _ in
            _ = try await orders.cancel(id: id)
            return "Order #\(id) cancelled; its stock is back on the shelf."
        }
    }

    @Sendable func pay(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, form: .payment) { id, form in
            let draft = try OrderLifecycleService.PaymentDraft(body: form.json(["amount", "method", "reference"], numbers: ["amount"]))
            let outcome = try await lifecycle.pay(orderID: id, draft, idempotencyKey: try Self.key(form, context)) {
                String(decoding: JSONWriter.bytes(of: PaymentResponse($0)), as: UTF8.self)
            }
            return outcome.replayed ? "That payment was already recorded." : "Payment of \(pages.money(draft.amount)) recorded."
        }
    }

    @Sendable func refund(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, form: .refund) { id, form in
            let draft = try OrderLifecycleService.RefundDraft(body: form.json(["amount", "reason"], numbers: ["amount"]))
            let outcome = try await lifecycle.refund(orderID: id, draft, idempotencyKey: try Self.key(form, context)) {
                String(decoding: JSONWriter.bytes(of: RefundResponse($0)), as: UTF8.self)
            }
            return outcome.replayed ? "That refund was already recorded." : "Refund of \(pages.money(draft.amount)) recorded."
        }
    }

    @Sendable func fulfil(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, form: .fulfilment) { id, form in
            let draft = try OrderLifecycleService.FulfillmentDraft(body: form.json(["carrier", "tracking_number", "tracking_url"]))
            _ = try await lifecycle.fulfil(orderID: id, draft)
            return "Fulfilment recorded."
        }
    }

    /// The idempotency key the form was drawn with, in the signed-in admin's scope as the API's are.
    private static func key(_ form: ConsoleForm, _ context: AppRequestContext) throws -> IdempotencyKey {
        guard let value = try PlaceOrderRequest.idempotencyKey(form["idempotency_key"]), let caller = context.caller else {
            throw AppError.badRequest("This form lacks its idempotency key; reload the page and try again.")
        }
        return IdempotencyKey(scope: "account:\(caller.accountID)", value: value)
    }

    /// The order page's forms, for drawing the one that was refused with what was typed in it.
    enum PageForm {
        case payment, fulfilment, refund
    }

    /// Runs a change and goes back to the order with its message; a refused change draws the page
    /// again with the reason, beside the fields it names.
    private func act(
        _ request: Request, _ context: AppRequestContext, form kind: PageForm? = nil,
        _ change: (Int64, ConsoleForm) async throws -> String
    ) async throws -> Response {
        let id = try context.id()
        let form = context.consoleForm ?? ConsoleForm(fields: [:])
        return try await pages.submit(request, context, {
            .init(path: "/admin/orders/\(id)", message: try await change(id, form))
        }) { error in
            try await orderPage(id, request, context, status: error.status, flash: .refusal(error),
                                refused: kind.map { ($0, form, error.fieldProblems) })
        }
    }

    private func orderPage(
        _ id: Int64, _ request: Request, _ context: AppRequestContext, status: HTTPResponse.Status = .ok,
        flash: ConsolePages.Flash? = nil, refused: (form: PageForm, values: ConsoleForm, problems: FieldProblems)? = nil
    ) async throws -> Response {
        let order = try await orders.get(id: id)
        let payments = try await lifecycle.payments(orderID: id, Self.recordsShown).items
        let refunds = try await lifecycle.refunds(orderID: id, Self.recordsShown).items
        let fulfillments = try await lifecycle.fulfillments(orderID: id, Self.recordsShown).items
        func value(_ form: PageForm, _ name: String) -> String? { refused?.form == form ? refused?.values[name] : nil }
        func problems(_ form: PageForm) -> FieldProblems { refused?.form == form ? refused?.problems ?? [:] : [:] }
        var view = pages.view(order)
        view["paymentFields"] = [
            ConsoleField("amount", "Amount (\(pages.currency.code))", id: "payment-amount",
                         value: value(.payment, "amount"), problems: problems(.payment),
                         inputMode: "decimal"),
            ConsoleField("reference", "Reference (optional)", id: "payment-reference", value: value(.payment, "reference"),
                         problems: problems(.payment)),
        ].values
        let chosenMethod = value(.payment, "method") ?? PaymentMethod.cash.rawValue
        view["methods"] = PaymentMethod.allCases.map { ["value": $0.rawValue, "selected": $0.rawValue == chosenMethod] as [String: Any] }
        view["fulfilmentFields"] = [
            ConsoleField("carrier", "Carrier (optional)", value: value(.fulfilment, "carrier"), problems: problems(.fulfilment)),
            ConsoleField("tracking_number", "Tracking number (optional)", value: value(.fulfilment, "tracking_number"),
                         problems: problems(.fulfilment)),
            ConsoleField("tracking_url", "Tracking URL (optional)", value: value(.fulfilment, "tracking_url"),
                         problems: problems(.fulfilment), type: "url"),
        ].values
        view["refundFields"] = [
            ConsoleField("amount", "Amount (\(pages.currency.code))", id: "refund-amount", value: value(.refund, "amount"),
                         problems: problems(.refund), inputMode: "decimal"),
            ConsoleField("reason", "Reason (optional)", id: "refund-reason", value: value(.refund, "reason"), problems: problems(.refund)),
        ].values
        // A fresh key per drawing: the form sent from this page is recorded once however often it is sent.
        view["paymentKey"] = "console-" + Hex.random128()
        view["refundKey"] = "console-" + Hex.random128()
        view["payments"] = payments.map { payment in
            ["createdAt": ConsolePages.time(payment.createdAt), "provider": payment.provider.rawValue, "method": payment.method.rawValue,
             "amount": pages.money(payment.amount), "reference": payment.reference ?? ""] as [String: Any]
        }
        view["refunds"] = refunds.map { refund in
            ["createdAt": ConsolePages.time(refund.createdAt), "amount": pages.money(refund.amount), "reason": refund.reason ?? ""] as [String: Any]
        }
        view["fulfillments"] = fulfillments.map { fulfillment in
            ["createdAt": ConsolePages.time(fulfillment.createdAt),
             "items": fulfillment.items.map { "\($0.quantity) × product \($0.productID)" }.joined(separator: ", "),
             "carrier": fulfillment.carrier ?? "", "trackingNumber": fulfillment.trackingNumber ?? ""] as [String: Any]
        }
        return pages.page("order", title: "Order #\(id)", section: .orders, ["order": view], status: status, flash: flash,
                          request: request, context: context)
    }
}
