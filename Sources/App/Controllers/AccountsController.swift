import Hummingbird

/// `/accounts` and the account sub-resource of a user, `/users/{id}/account`.
struct AccountsController {
    let accounts: AccountService
    let maxBodySize: Int

    func addRoutes(to router: Router<AppRequestContext>) {
        router.get("/accounts", use: list)
        router.post("/accounts", use: create)
        for (path, reference) in [(RouterPath("/accounts/:id"), AccountReference.id), (RouterPath("/users/:id/account"), AccountReference.user)] {
            router.get(path) { request, context in try await get(reference(try context.id())) }
            router.put(path) { request, context in try await replace(reference(try context.id()), request) }
            router.patch(path) { request, context in try await patch(reference(try context.id()), request) }
            router.delete(path) { request, context in try await delete(reference(try context.id())) }
        }
    }

    @Sendable func list(_ request: Request, context: AppRequestContext) async throws -> ListResponse<AccountResponse> {
        let page = try QueryReader.page(of: request)
        return ListResponse(try await accounts.list(page), request: request, transform: AccountResponse.init)
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Created<AccountResponse> {
        var request = request
        let newAccount = try NewAccountRequest(body: try await request.jsonBody(limit: maxBodySize))
        return Created(body: AccountResponse(try await accounts.create(newAccount)))
    }

    func get(_ reference: AccountReference) async throws -> AccountResponse {
        AccountResponse(try await accounts.get(reference))
    }

    func replace(_ reference: AccountReference, _ request: Request) async throws -> AccountResponse {
        var request = request
        let credentials = try AccountCredentials(body: try await request.jsonBody(limit: maxBodySize))
        let patch = AccountPatch(username: credentials.username, password: credentials.password)
        return AccountResponse(try await accounts.update(reference, patch))
    }

    func patch(_ reference: AccountReference, _ request: Request) async throws -> AccountResponse {
        var request = request
        let patch = try AccountPatch(body: try await request.jsonBody(limit: maxBodySize))
        return AccountResponse(try await accounts.update(reference, patch))
    }

    func delete(_ reference: AccountReference) async throws -> Response {
        try await accounts.delete(reference)
        return Response(status: .noContent)
    }
}
