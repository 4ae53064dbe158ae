import Hummingbird

/// `/products` and their stock.
struct ProductsController {
    let products: ProductService
    let maxBodySize: Int

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/products", use: list)
        router.post("/products", use: create)
        router.get("/products/:id", use: get)
        router.put("/products/:id", use: replace)
        router.patch("/products/:id", use: patch)
        router.delete("/products/:id", use: delete)
        router.put("/products/:id/stock", use: setStock)
        router.get("/products/:id/stock/movements", use: stockMovements)
        router.post("/products/:id/stock/adjustments", use: adjustStock)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ListResponse<ProductResponse> {
        var query = QueryReader(request)
        let filter = ProductFilter(query: &query)
        let page = query.page()
        try query.finish()
        return ListResponse(try await products.list(filter, page), request: request, transform: ProductResponse.init)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Created<ProductResponse> {
        try context.requireAdmin()
        var request = request
        let draft = try ProductDraft(body: try await request.jsonBody(limit: maxBodySize))
        return Created(body: ProductResponse(try await products.create(draft)))
    }

    @Sendable func get(_ request: Request, context: AppRequestContext) async throws -> ProductResponse {
        ProductResponse(try await products.get(id: try context.id()))
    }

    @Sendable func replace(_ request: Request, context: AppRequestContext) async throws -> ProductResponse {
        try context.requireAdmin()
        let id = try context.id()
        var request = request
        let draft = try ProductDraft(body: try await request.jsonBody(limit: maxBodySize))
        return ProductResponse(try await products.update(id: id, quantity: draft.quantity) { $0 = draft.fields })
    }

    @Sendable func patch(_ request: Request, context: AppRequestContext) async throws -> ProductResponse {
        try context.requireAdmin()
        let id = try context.id()
        var request = request
        let patch = try ProductPatch(body: try await request.jsonBody(limit: maxBodySize))
        return ProductResponse(try await products.update(id: id, quantity: patch.quantity, patch.apply))
    }

    @Sendable func delete(_ request: Request, context: AppRequestContext) async throws -> Response {
        try context.requireAdmin()
        try await products.delete(id: try context.id())
        return Response(status: .noContent)
    }

    @Sendable func setStock(_ request: Request, context: AppRequestContext) async throws -> ProductResponse {
        try context.requireAdmin()
        let id = try context.id()
        var request = request
        let level = try StockLevelRequest(body: try await request.jsonBody(limit: maxBodySize))
        return ProductResponse(try await products.setStock(id: id, quantity: level.quantity, expected: level.expectedQuantity))
    }

    @Sendable func adjustStock(_ request: Request, context: AppRequestContext) async throws -> Created<StockMovementResponse> {
        try context.requireAdmin()
        let id = try context.id()
        var request = request
        let adjustment = try StockAdjustmentRequest(body: try await request.jsonBody(limit: maxBodySize))
        let movement = try await products.adjustStock(id: id, by: adjustment.delta, reason: adjustment.reason)
        return Created(body: StockMovementResponse(movement))
    }

    @Sendable func stockMovements(
        _ request: Request, context: AppRequestContext
    ) async throws -> ListResponse<StockMovementResponse> {
        try context.requireAdmin()
        let id = try context.id()
        let page = try QueryReader.page(of: request)
        return ListResponse(try await products.stockMovements(id: id, page), request: request,
                            transform: StockMovementResponse.init)
    }
}

extension ProductFilter {
    /// `q`, `min_price`, `max_price` and `in_stock`, as the API's list and the console's read them.
    init(query: inout QueryReader) {
        self.init(nameContains: query.string("q"), minPrice: query.money("min_price"), maxPrice: query.money("max_price"),
                  inStock: query.bool("in_stock"))
        if priceRangeIsInverted, let maxPrice {
            query.report("min_price", "must not be greater than max_price (\(maxPrice))")
        }
    }
}
