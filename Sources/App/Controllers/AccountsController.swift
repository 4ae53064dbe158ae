import Hummingbird

/// `/accounts` and the account sub-resource of a user, `/users/{id}/account`.
struct AccountsController {
    let accounts: AccountService
    let maxBodySize: Int

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/accounts", use: list)
        router.post("/accounts", use: create)
        // By account id: admins only. Through the user: the user themself, or an admin.
        router.get("/accounts/:id") { _, context in try await get(try adminReference(context)) }
        router.put("/accounts/:id") { request, context in try await replace(try adminReference(context), request, context) }
        router.patch("/accounts/:id") { request, context in try await patch(try adminReference(context), request, context) }
        router.delete("/accounts/:id") { _, context in try await delete(try adminReference(context)) }
        router.get("/users/:id/account") { _, context in try await get(try ownerReference(context)) }
        router.put("/users/:id/account") { request, context in try await replace(try ownerReference(context), request, context) }
        router.patch("/users/:id/account") { request, context in try await patch(try ownerReference(context), request, context) }
        router.delete("/users/:id/account") { _, context in
            try context.requireAdmin()
            return try await delete(.user(try context.id()))
        }
    }

    private func adminReference(_ context: AppRequestContext) throws -> AccountReference {
        try context.requireAdmin()
        return .id(try context.id())
    }

    private func ownerReference(_ context: AppRequestContext) throws -> AccountReference {
        let userID = try context.id()
        try context.requireOwner(ofUser: userID)
        return .user(userID)
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ListResponse<AccountResponse> {
        try context.requireAdmin()
        let page = try QueryReader.page(of: request)
        return ListResponse(try await accounts.list(page), request: request, transform: AccountResponse.init)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Created<AccountResponse> {
        try context.requireAdmin()
        var request = request
        let newAccount = try NewAccountRequest(body: try await request.jsonBody(limit: maxBodySize))
        return Created(body: AccountResponse(try await accounts.create(newAccount)))
    }

    func get(_ reference: AccountReference) async throws -> AccountResponse {
        AccountResponse(try await accounts.get(reference))
    }

    func replace(_ reference: AccountReference, _ request: Request, _ context: AppRequestContext) async throws -> AccountResponse {
        var request = request
        let credentials = try AccountCredentials(body: try await request.jsonBody(limit: maxBodySize))
        let patch = AccountPatch(username: credentials.username, password: credentials.password)
        return AccountResponse(try await accounts.update(reference, patch, keepingToken: context.caller?.tokenID))
    }

    func patch(_ reference: AccountReference, _ request: Request, _ context: AppRequestContext) async throws -> AccountResponse {
        var request = request
        let patch = try AccountPatch(body: try await request.jsonBody(limit: maxBodySize))
        return AccountResponse(try await accounts.update(reference, patch, keepingToken: context.caller?.tokenID))
    }

    func delete(_ reference: AccountReference) async throws -> Response {
        try await accounts.delete(reference)
        return Response(status: .noContent)
    }
}
