import Hummingbird

/// `/admin/products`: the catalogue and its stock, through the same service and request types as
/// `/products`, so a form is held to exactly the API's rules and messages.
struct ConsoleProductsController {
    let products: ProductService
    let pages: ConsolePages

    /// How many of a product's stock movements its page shows.
    static let ledgerLength = 50

    func addRoutes(to group: RouterGroup<AppRequestContext>) {
        group.get("products", use: list)
        group.get("products/new", use: new)
        group.post("products", use: create)
        group.get("products/:id", use: show)
        group.post("products/:id", use: edit)
        group.post("products/:id/stock", use: setStock)
        group.post("products/:id/stock/adjustments", use: adjustStock)
        group.get("products/:id/delete", use: confirmDelete)
        group.post("products/:id/delete", use: delete)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> Response {
        var query = QueryReader(request)
        let filter = ProductFilter(query: &query)
        let page = query.page()
        try query.finish()
        let found = try await products.list(filter, page)
        var values: [String: Any] = ["products": found.items.map(pages.view), "q": filter.nameContains ?? "",
                                     "inStock": filter.inStock == true]
        if let next = found.nextAfterID { values["nextPage"] = request.nextPageLink(afterID: next) }
        return pages.page("products", title: "Products", section: .products, values, request: request, context: context)
    }

    @Sendable func new(_ request: Request, context: AppRequestContext) async throws -> Response {
        newPage(ConsoleForm(fields: [:]), problems: [:], status: .ok, request, context)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let form = context.consoleForm ?? ConsoleForm(fields: [:])
        return try await pages.submit(request, context, {
            let product = try await products.create(try ProductDraft(body: form.json(
                ["name", "price", "quantity", "description", "sku"], numbers: ["price", "quantity"])))
            return .init(path: "/admin/products/\(product.id)", message: "Product \(product.name) created.")
        }) { error in
            newPage(form, problems: error.fieldProblems, flash: .refusal(error), status: error.status, request, context)
        }
    }

    @Sendable func show(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await productPage(try context.id(), request, context)
    }

    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, form: .edit) { id, form in
            let patch = try ProductPatch(body: form.json(["name", "price", "description", "sku"], numbers: ["price"],
                                                         clearable: ["description", "sku"]))
            let product = try await products.update(id: id, quantity: nil, patch.apply)
            return "Saved \(product.name)."
        }
    }

    @Sendable func setStock(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, form: .stock) { id, form in
            let level = try StockLevelRequest(body: form.json(["quantity", "expected_quantity"], numbers: ["quantity", "expected_quantity"]))
            let product = try await products.setStock(id: id, quantity: level.quantity, expected: level.expectedQuantity)
            return "Stock set to \(product.quantity)."
        }
    }

    @Sendable func adjustStock(_ request: Request, context: AppRequestContext) async throws -> Response {
        try await act(request, context, form: .adjust) { id, form in
            let adjustment = try StockAdjustmentRequest(body: form.json(["delta", "reason"], numbers: ["delta"]))
            let movement = try await products.adjustStock(id: id, by: adjustment.delta, reason: adjustment.reason)
            return "Stock adjusted by \(movement.delta > 0 ? "+" : "")\(movement.delta); it is now \(movement.quantityAfter)."
        }
    }

    @Sendable func confirmDelete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let product = try await products.get(id: try context.id())
        return pages.page("product-delete", title: "Delete \(product.name)", section: .products, ["product": pages.view(product)],
                          request: request, context: context)
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        let id = try context.id()
        let product = try await products.get(id: id)
        try await products.delete(id: id)
        return pages.redirect(to: "/admin/products", flash: .init(text: "Deleted \(product.name)."), request: request, context: context)
    }

    /// The product page's forms, for drawing the one that was refused with what was typed in it.
    enum PageForm {
        case edit, stock, adjust
    }

    /// Runs a form's change and goes back to the product with its message; a refused change draws
    /// the page again with the reason, beside the fields it names.
    private func act(
        _ request: Request, _ context: AppRequestContext, form kind: PageForm,
        _ change: (Int64, ConsoleForm) async throws -> String
    ) async throws -> Response {
        let id = try context.id()
        let form = context.consoleForm ?? ConsoleForm(fields: [:])
        return try await pages.submit(request, context, {
            .init(path: "/admin/products/\(id)", message: try await change(id, form))
        }) { error in
            try await productPage(id, request, context, status: error.status, flash: .refusal(error),
                                  refused: (kind, form, error.fieldProblems))
        }
    }

    private func productPage(
        _ id: Int64, _ request: Request, _ context: AppRequestContext, status: HTTPResponse.Status = .ok,
        flash: ConsolePages.Flash? = nil, refused: (form: PageForm, values: ConsoleForm, problems: FieldProblems)? = nil
    ) async throws -> Response {
        let (product, movements) = try await products.productWithLatestMovements(id: id, limit: Self.ledgerLength)
        /// What a field shows: what was typed, in the form that was refused; else the product's own value.
        func value(_ form: PageForm, _ name: String, _ stored: String?) -> String? {
            refused?.form == form ? refused?.values[name] : stored
        }
        func problems(_ form: PageForm) -> FieldProblems { refused?.form == form ? refused?.problems ?? [:] : [:] }
        let edit = [
            ConsoleField("name", "Name", value: value(.edit, "name", product.name), problems: problems(.edit)),
            ConsoleField("price", "Price (\(pages.currency.code))", value: value(.edit, "price", product.price.withMinorDigits),
                         problems: problems(.edit), inputMode: "decimal"),
            ConsoleField("description", "Description", value: value(.edit, "description", product.description),
                         problems: problems(.edit), multiline: true),
            ConsoleField("sku", "SKU", value: value(.edit, "sku", product.sku), problems: problems(.edit)),
        ]
        let stock = [ConsoleField("quantity", "New stock level", id: "stock-quantity", value: value(.stock, "quantity", nil),
                                  problems: problems(.stock), inputMode: "numeric")]
        let adjust = [
            ConsoleField("delta", "Change (e.g. -3 or 10)", id: "adjust-delta", value: value(.adjust, "delta", nil),
                         problems: problems(.adjust), inputMode: "numeric"),
            ConsoleField("reason", "Reason", id: "adjust-reason", value: value(.adjust, "reason", nil), problems: problems(.adjust)),
        ]
        var view = pages.view(product)
        view["editFields"] = edit.values
        view["stockFields"] = stock.values
        view["adjustFields"] = adjust.values
        view["movements"] = movements.map(pages.view)
        return pages.page("product", title: product.name, section: .products,
                          ["product": view, "ledgerLength": Self.ledgerLength], status: status, flash: flash,
                          request: request, context: context)
    }

    private func newPage(
        _ form: ConsoleForm, problems: FieldProblems, flash: ConsolePages.Flash? = nil, status: HTTPResponse.Status,
        _ request: Request, _ context: AppRequestContext
    ) -> Response {
        let fields = [
            ConsoleField("name", "Name", value: form["name"], problems: problems),
            ConsoleField("price", "Price (\(pages.currency.code))", value: form["price"], problems: problems, inputMode: "decimal"),
            ConsoleField("quantity", "Stock", value: form["quantity"], problems: problems, inputMode: "numeric"),
            ConsoleField("description", "Description", value: form["description"], problems: problems, multiline: true),
            ConsoleField("sku", "SKU", value: form["sku"], problems: problems),
        ]
        return pages.page("product-new", title: "New product", section: .products, ["fields": fields.values],
                          status: status, flash: flash, request: request, context: context)
    }
}
